"""A 999 incident as a NENA Emergency Incident Data Object (EIDO), out and in.

The EIDO (NENA-STA-021.1) is the JSON document US CAD systems exchange an incident in. Its
schema is vendored in data/eido/openapi.yaml (see the comment at its top and docs/eido.md, which
also lists the fields filled here and where each comes from).

`to_eido` writes an incident, its calls, THRIVE notes, vulnerability flags and unit assignments
as one document; `from_eido` checks a document against the schema and takes from it what opening
an incident needs; `validate` lists a document's schema problems. Pure functions: no HTTP, no
database, and a location given only by reference (a URL) is never fetched.
"""

from __future__ import annotations

import html
import json
import math
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from safercity.contact.model import Incident, IncidentStatus, Location, normalise_number
from safercity.contact.taxonomy import load_taxonomy
from safercity.dispatch.assignment import Assignment, AssignmentStatus
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit, UnitType
from safercity.platform.errors import FieldError, InvalidInput

__all__ = [
    "COMMON_INCIDENT_TYPES",
    "EIDO_VERSION",
    "EidoAgency",
    "ImportedIncident",
    "from_eido",
    "to_eido",
    "tracking_id",
    "validate",
]

EIDO_VERSION = "1.0"
SCHEMA_FILE = "openapi.yaml"
SCHEMA_ROOT = "EmergencyIncidentDataObjectType"
MAX_PROBLEMS = 5  # an InvalidInput names at most this many schema problems
MAX_PIDF_CHARS = 64 * 1024  # a larger PIDF-LO is not parsed

# The closest code in the EIDO-IncidentType-Common registry (NENA-STA-021.1 table 3-2, the APCO
# ANS 2.103.2-2019 common incident types) for each type of the joint taxonomy. A code not listed
# goes out as NCRNONE ("None - No Code Found"); our own code is always sent beside it.
COMMON_INCIDENT_TYPES: dict[str, str] = {
    "cardiac_arrest": "CARDIAC",
    "breathing_difficulty": "RESP",
    "chest_pain": "CARDIAC",
    "stroke": "STROKE",
    "unconscious_person": "PERUNCON",
    "fall_with_injury": "FALL",
    "rtc_no_persons_trapped": "MVAUNK",
    "rtc_persons_trapped": "XTRICATE",
    "house_fire_persons_reported": "FSTRU",
    "house_fire_no_persons_reported": "FSTRU",
    "commercial_building_fire": "FSTRU",
    "rubbish_or_grass_fire": "FBRUSH",
    "automatic_fire_alarm": "ALRF",
    "gas_leak": "GASLEAK",
    "hazardous_materials": "HAZMAT",
    "water_rescue": "WATER",
    "flooding": "WATER",
    "lift_rescue": "NCRELEV",
    "assault_in_progress": "ASSAULT",
    "burglary_in_progress": "BURGLARY",
    "domestic_abuse_ongoing": "DVA",
    "robbery_just_occurred": "ROBBERY",
    "weapon_seen_knife": "WEAPON",
    "weapon_seen_firearm": "WEAPON",
    "missing_vulnerable_person": "PERMISS",
    "concern_for_welfare": "WELFARE",
    "mental_health_crisis": "EDP",
    "anti_social_behaviour": "DISORD",
    "suspicious_package": "BOMB",
}
NO_COMMON_TYPE = "NCRNONE"

# Agency types from the IANA urn:emergency:service:responder registry.
_AGENCY_TYPES: dict[Service, str] = {
    Service.POLICE: "police",
    Service.FIRE: "fire",
    Service.AMBULANCE: "ems",
    Service.HEALTH: "ems",
}
# EIDO-EmergencyResourceType-Common registry (NENA-STA-021.1 table 3-11).
_RESOURCE_TYPES: dict[UnitType, str] = {
    UnitType.FIRE_ENGINE: "StructureFireEngineType1",
    UnitType.AERIAL_LADDER: "FireTruckLadder",
    UnitType.FIRE_RESCUE_UNIT: "HeavyRescue",
    UnitType.AMBULANCE: "GroundALSAmbulance",
    UnitType.FAST_RESPONSE_CAR: "RapidResponseSpecialist",
    UnitType.POLICE_RESPONSE_CAR: "PatrolUnit",
    UnitType.ARMED_RESPONSE_VEHICLE: "SWAT",
    UnitType.MENTAL_HEALTH_CAR: "CrisisInterventionUnit",
}
# EIDO-ResourceAttribute registry (table 3-12); a capability with no match is sent as "Other"
# with our own name in resourceAttributeInternalText, as the schema asks.
_RESOURCE_ATTRIBUTES: dict[Capability, str] = {
    Capability.PARAMEDIC: "Paramedic",
    Capability.FIREFIGHTING: "Firefighter",
    Capability.RESCUE: "ExtricationEquipmentBasic",
    Capability.WATER_RESCUE: "SwiftwaterRescueEquipment",
    Capability.MENTAL_HEALTH_PROFESSIONAL: "CrisisInterventionSpecialist",
}
# EIDO-PrimaryUnitStatus-Common and -SecondaryUnitStatus-Common (tables 3-9 and 3-10). A unit
# still travelling may be diverted, so it is conditionally available.
_UNIT_STATUSES: dict[AssignmentStatus, tuple[str, list[str]]] = {
    AssignmentStatus.DISPATCHED: ("ConditionallyAvailable", ["Dispatched"]),
    AssignmentStatus.EN_ROUTE: ("ConditionallyAvailable", ["EnRoute"]),
    AssignmentStatus.ON_SCENE: ("NotAvailable", ["OnScene"]),
    AssignmentStatus.AT_HOSPITAL: ("NotAvailable", ["Arrived", "Hospital"]),
    AssignmentStatus.CLEARED: ("Available", ["Cleared"]),
    AssignmentStatus.DIVERTED: ("NotAvailable", ["AssignmentCancelled"]),
    AssignmentStatus.CANCELLED: ("Available", ["AssignmentCancelled"]),
}
_TRAVELLING = frozenset({AssignmentStatus.DISPATCHED, AssignmentStatus.EN_ROUTE})
_AT_SCENE = frozenset({AssignmentStatus.ON_SCENE, AssignmentStatus.AT_HOSPITAL})
_THRIVE_NOTES = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
_ALNUM = re.compile(r"^[A-Za-z0-9]{1,64}$")
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

_GML = "http://www.opengis.net/gml"
_CIVIC = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
_SHAPES_WITH_CENTRE = frozenset({"Point", "Circle", "Ellipse", "ArcBand", "Sphere", "Ellipsoid"})
_WGS84 = ("4326", "4979")
# Location types that say where the incident is, best first; others (a unit's position, a
# staging area, a cell tower, the routing location) are never taken as the incident's location.
_INCIDENT_LOCATION_TYPES = (
    "CurrentIncident",
    "InitialIncident",
    "Caller",
    "Investigation",
    "Other",
)


@dataclass(frozen=True)
class EidoAgency:
    """The agency that sends an EIDO: e.g. SaferCity London joint 999.

    `id` is its Agency Identifier, a domain name (NENA-STA-010); `element_id` names the system
    that issues the documents and is the agency id when not given.
    """

    id: str
    name: str
    uri: str
    element_id: str = ""

    def __post_init__(self) -> None:
        for name in ("id", "element_id"):
            value = getattr(self, name)
            if value and not _DOMAIN.match(value):
                raise ValueError(f"EIDO agency {name} {value!r} is not a domain name")
        if not self.name.strip():
            raise ValueError("an EIDO agency needs a name")
        if not _URI.match(self.uri):
            raise ValueError(f"EIDO agency uri {self.uri!r} is not a URI")

    @property
    def issuing_element(self) -> str:
        return self.element_id or self.id


@dataclass(frozen=True)
class ImportedIncident:
    """What an EIDO from another agency says about an incident: enough to open one here."""

    external_id: str  # the sender's Incident Tracking Identifier
    sending_agency: str  # the sender's Agency Identifier
    type_code: str | None  # our taxonomy's code, when the document carries one of ours
    type_text: str
    lat: float
    lon: float
    address: str
    description: str  # the notes on the calls and the incident, one a line
    callback_number: str | None
    received_at: datetime  # the first call's start, else when the sender last updated it
    caller_name: str = ""


# ---------------------------------------------------------------------------------------------
# Export


def tracking_id(incident_id: str, agency: EidoAgency) -> str:
    """The Incident Tracking Identifier of our incident `incident_id` (NENA-STA-010 form)."""
    return f"urn:emergency:uid:incidentid:{_unique(incident_id)}:{agency.id}"


def to_eido(
    incident: Incident,
    assignments: Sequence[Assignment],
    units: Mapping[str, Unit],
    *,
    agency: EidoAgency,
    sent_at: datetime,
    type_label: str,
) -> dict[str, Any]:
    """The EIDO document for `incident` as `agency` knows it at `sent_at`.

    `assignments` are the incident's unit assignments and `units` the fleet by call sign;
    `type_label` is the taxonomy label of the incident's type. ValueError for an assignment of
    another incident, a call sign not in `units` or a time without a UTC offset.
    """
    return _Export(incident, agency, sent_at).document(assignments, units, type_label)


class _Export:
    """One document being written: the components so far and the identifiers they share."""

    def __init__(self, incident: Incident, agency: EidoAgency, sent_at: datetime) -> None:
        self.incident = incident
        self.agency = agency
        self.sent_at = sent_at
        self.tracking_id = tracking_id(incident.id, agency)
        self.notes: list[dict[str, Any]] = []
        self.locations: list[dict[str, Any]] = []

    def document(
        self, assignments: Sequence[Assignment], units: Mapping[str, Unit], type_label: str
    ) -> dict[str, Any]:
        incident = self.incident
        ordered = sorted(assignments, key=lambda a: (a.dispatched_at, a.id))
        for assignment in ordered:
            if assignment.incident_id != incident.id:
                raise ValueError(
                    f"assignment {assignment.id} is for incident {assignment.incident_id}, "
                    f"not {incident.id}"
                )
            if assignment.call_sign not in units:
                raise ValueError(f"unit {assignment.call_sign} is not in the fleet given")
        updated = max([incident.opened_at, *(c.received_at for c in incident.calls)])
        updated = max([updated, *(a.status_at for a in ordered)])
        scene = self._location("incident", incident.location, "CurrentIncident", updated)
        calls, callbacks, persons = self._calls(scene)
        about = self._incident(type_label, ordered, scene, [p["$id"] for p in persons], updated)
        resources_, dispatches = self._assignments(ordered, units, scene)
        document: dict[str, Any] = {
            **self._prologue(self.tracking_id, self.sent_at),
            "eidoVersion": EIDO_VERSION,
            "issuingElementIdentification": self.agency.issuing_element,
        }
        if incident.status is IncidentStatus.MERGED and incident.merged_into:
            document["mergeComponent"] = [
                {
                    **self._prologue(self._id("merge"), updated),
                    "incidentTrackingIdentifier": tracking_id(incident.merged_into, self.agency),
                    "incidentMergeDirectionCode": "REPLACING",
                }
            ]
        document["incidentComponent"] = about
        optional = {
            "callComponent": calls,
            "callbackComponent": callbacks,
            "dispatchComponent": dispatches,
            "notesComponent": self.notes,
            "emergencyResourceComponent": resources_,
        }
        document.update({key: value for key, value in optional.items() if value})
        document["agencyComponent"] = self._agencies(ordered, units)
        document["locationComponent"] = self.locations
        if persons:
            document["personComponent"] = persons
        return document

    # Components

    def _incident(
        self,
        type_label: str,
        assignments: Sequence[Assignment],
        scene: str,
        persons: list[str],
        updated: datetime,
    ) -> dict[str, Any]:
        incident = self.incident
        component: dict[str, Any] = {
            **self._prologue(self._id("incident"), updated),
            "incidentTypeCommonRegistryText": COMMON_INCIDENT_TYPES.get(
                incident.type_code, NO_COMMON_TYPE
            ),
            "incidentTypeInternalCode": incident.type_code,
            "incidentTypeInternalText": type_label,
            "incidentStatusInternalText": [incident.status.value],
            "incidentStatusCommonRegistryText": _common_status(incident.status, assignments),
            "internalIncidentId": incident.id,
            "locationReference": [_ref(scene)],
        }
        if persons:
            component["personReference"] = [_ref(p) for p in persons]
        priority = ", ".join(
            f"{service.value} {grade.priority.value}"
            for service, grade in incident.grading.grades.items()
        )
        if priority:
            component["incidentPriorityInternalText"] = priority
        notes = [self._note("thrive", text, updated) for text in _thrive_notes(incident)]
        if incident.flags:
            labels = ", ".join(sorted(f.label for f in incident.flags))
            notes.append(self._note("flags", f"Vulnerability flags: {labels}", updated))
        if notes:
            component["notesReference"] = [_ref(n) for n in notes]
        return component

    def _calls(
        self, scene: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        calls: list[dict[str, Any]] = []
        callbacks: list[dict[str, Any]] = []
        persons: list[dict[str, Any]] = []
        for call in self.incident.calls:
            call_id = f"urn:emergency:uid:callid:{_unique(call.id)}:{self.agency.id}"
            at = call.received_at
            where = scene
            if call.location != self.incident.location:
                where = self._location(f"call/{call.id}", call.location, "Other", at)
            component: dict[str, Any] = {
                **self._prologue(call_id, at),
                "standardPrimaryCallType": "emergency",
                "direction": "incoming",
                "callStartTimestamp": _iso(at),
                # We keep no call state: a call on record is one a handler has taken.
                "callStateRegistryText": "callEnd",
                "locationReference": [_ref(where)],
            }
            person: dict[str, Any] = {
                **self._prologue(self._id("caller", call.id), at),
                "personIncidentRoleRegistryText": ["Caller"],
                "callIdentifier": [call_id],
            }
            if call.callback_number:
                callback = {
                    **self._prologue(self._id("callback", call.id), at),
                    "callBackInformationUri": [_tel_uri(call.callback_number)],
                }
                callbacks.append(callback)
                component["callBackReference"] = person["callBackReference"] = _ref(callback["$id"])
            if call.caller_name.strip():
                person["ncPersonComponent"] = {
                    "name": [{"personFullName": [{"value": call.caller_name.strip()}]}]
                }
            if call.description.strip():
                note = self._note(f"call/{call.id}", call.description, at)
                component["notesReference"] = [_ref(note)]
            component["personReference"] = [_ref(person["$id"])]
            calls.append(component)
            persons.append(person)
        return calls, callbacks, persons

    def _assignments(
        self, assignments: Sequence[Assignment], units: Mapping[str, Unit], scene: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        resources_: list[dict[str, Any]] = []
        dispatches: list[dict[str, Any]] = []
        for assignment in assignments:
            unit = units[assignment.call_sign]
            primary, secondary = _UNIT_STATUSES[assignment.status]
            attributes = sorted(
                {_RESOURCE_ATTRIBUTES.get(c, "Other") for c in unit.capabilities} or {"Other"}
            )
            resource: dict[str, Any] = {
                **self._prologue(self._id("unit", str(assignment.id)), assignment.status_at),
                "emergencyResourceTypeCommonRegistryText": _RESOURCE_TYPES[unit.unit_type],
                "emergencyResourceTypeInternalText": unit.unit_type.value,
                "emergencyResourceName": unit.call_sign,
                "resourceAttributeRegistryText": attributes,
                "resourceAttributeInternalText": sorted(c.value for c in unit.capabilities),
                "primaryUnitStatusRegistryText": primary,
                "secondaryUnitStatusRegistryText": list(secondary),
                "unitStatusInternal": [assignment.status.value],
                # We do not send staff identities: no agents are named.
                "agentReference": [],
            }
            if assignment.active:
                resource["activeOnIncidentId"] = self.tracking_id
            if assignment.status in _TRAVELLING:
                resource["unitDestinationReference"] = _ref(scene)
                if assignment.on_scene_due is not None:
                    resource["eta"] = _iso(assignment.on_scene_due)
            resources_.append(resource)
            text = (
                f"{unit.agency_code} {unit.call_sign}, {unit.unit_type.label.lower()}, "
                f"dispatched at {_iso(assignment.dispatched_at)}"
            )
            if assignment.reason.strip():
                text += f": {assignment.reason.strip()}"
            at = assignment.dispatched_at
            note = self._note(f"dispatch/{assignment.id}", text, at)
            dispatches.append(
                {
                    # Written once, at dispatch: its timestamp is the dispatch time.
                    **self._prologue(self._id("dispatch", str(assignment.id)), at),
                    "agencyReference": _ref(self._partner_id(unit.agency_code)),
                    "emergencyResourceReference": [_ref(resource["$id"])],
                    "notesReference": [_ref(note)],
                }
            )
        return resources_, dispatches

    def _agencies(
        self, assignments: Sequence[Assignment], units: Mapping[str, Unit]
    ) -> list[dict[str, Any]]:
        agency = self.agency
        agencies = [
            {
                **self._prologue(agency.id, self.sent_at),
                "agencyJcard": _jcard(agency.name, agency.uri),
                "agencyRoleDescriptionRegistryText": ["CallReceiving", "Dispatching"],
                "agencyType": ["psap"],
                "incidentOwningAgencyIndicator": True,
            }
        ]
        services: dict[str, set[Service]] = {}
        for assignment in assignments:
            unit = units[assignment.call_sign]
            services.setdefault(unit.agency_code, set()).add(unit.service)
        for code in sorted(services):
            agencies.append(
                {
                    **self._prologue(self._partner_id(code), self.sent_at),
                    "agencyJcard": _jcard(code),
                    "agencyRoleDescriptionRegistryText": ["Dispatched"],
                    "agencyType": sorted({_AGENCY_TYPES[s] for s in services[code]}),
                    "incidentOwningAgencyIndicator": False,
                }
            )
        return agencies

    def _location(self, key: str, location: Location, kind: str, at: datetime) -> str:
        component_id = self._id("location", key)
        component: dict[str, Any] = {
            **self._prologue(component_id, at),
            "locationTypeDescriptionRegistryText": kind,
            "locationByValue": _pidf_lo(
                f"pres:{_unique(self.incident.id)}@{self.agency.id}", location.lat, location.lon
            ),
        }
        if location.address.strip():
            component["locationDescriptionText"] = location.address.strip()
        self.locations.append(component)
        return component_id

    def _note(self, key: str, text: str, at: datetime) -> str:
        component_id = self._id("note", key, str(len(self.notes)))
        self.notes.append({**self._prologue(component_id, at), "notesActionComments": _html(text)})
        return component_id

    # Identifiers

    def _prologue(self, component_id: str, at: datetime) -> dict[str, Any]:
        return {
            "$id": component_id,
            "lastUpdateTimeStamp": _iso(at),
            "updatedByAgencyReference": _ref(self.agency.id),
        }

    def _id(self, *parts: str) -> str:
        """A data component identifier: stable for the same incident, agency and parts."""
        name = "/".join((self.agency.id, self.incident.id, *parts))
        unique = uuid.uuid5(uuid.NAMESPACE_URL, name).hex
        return f"urn:emergency:uid:eidodatacomponent:{unique}:{self.agency.id}"

    def _partner_id(self, agency_code: str) -> str:
        """The agency id of a unit's service: its code under ours, until partners publish theirs."""
        code = re.sub(r"[^a-z0-9-]", "-", agency_code.lower()).strip("-") or "unknown"
        return f"{code}.{self.agency.id}"


def _common_status(status: IncidentStatus, assignments: Sequence[Assignment]) -> list[str]:
    if status is not IncidentStatus.OPEN:
        return ["Closed"]
    found = {a.status for a in assignments if a.active}
    common = ["Active"]
    if found:
        common.append("ResourcesAssigned")
    if AssignmentStatus.EN_ROUTE in found:
        common.append("ResourcesEnroute")
    if found & _AT_SCENE:
        common.append("ResourcesOnscene")
    return common


def _thrive_notes(incident: Incident) -> list[str]:
    thrive = incident.thrive
    notes = [
        f"THRIVE {name}: {getattr(thrive, name).strip()}"
        for name in _THRIVE_NOTES
        if getattr(thrive, name).strip()
    ]
    overall = f"THRIVE overall risk: {thrive.overall.value}"
    if thrive.override is not None:
        overall += (
            f" (handler's override of the derived {thrive.derived_risk.value}: "
            f"{thrive.override_reason.strip()})"
        )
    else:
        overall += " (derived)"
    return [*notes, overall]


def _ref(component_id: str) -> dict[str, str]:
    return {"$ref": component_id}


def _unique(text: str) -> str:
    """`text` if it is a plain alphanumeric id, else a stable hex digest of it."""
    return text if _ALNUM.match(text) else uuid.uuid5(uuid.NAMESPACE_URL, text).hex


def _iso(at: datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"time {at} has no UTC offset")
    return at.isoformat()


def _html(text: str) -> str:
    """Plain text as the HTML5 notesActionComments holds: escaped, line breaks kept."""
    return html.escape(text.strip(), quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def _jcard(name: str, uri: str = "") -> str:
    """A jCard (RFC 7095) naming an organisation, as the JSON text agencyJcard holds."""
    properties: list[list[Any]] = [
        ["version", {}, "text", "4.0"],
        ["kind", {}, "text", "org"],
        ["fn", {}, "text", name],
    ]
    if uri:
        properties.append(["url", {}, "uri", uri])
    return json.dumps(["vcard", properties], ensure_ascii=False)


def _tel_uri(number: str) -> str:
    """A tel: URI (RFC 3966) for a callback number in our form (UK national, 0 for +44)."""
    if number.startswith("+"):
        return f"tel:{number}"
    if number.startswith("0") and len(number) > 1:
        return f"tel:+44{number[1:]}"
    return f"tel:{number};phone-context=+44"


def _pidf_lo(entity: str, lat: float, lon: float) -> str:
    """A PIDF-LO (RFC 4119, RFC 5491) document with one WGS84 point: latitude first."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" '
        f'xmlns:gml="{_GML}" entity="{html.escape(entity)}">'
        '<tuple id="location"><status><gp:geopriv><gp:location-info>'
        '<gml:Point srsName="urn:ogc:def:crs:EPSG::4326">'
        f"<gml:pos>{lat!r} {lon!r}</gml:pos>"
        "</gml:Point></gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple>"
        "</presence>"
    )


# ---------------------------------------------------------------------------------------------
# Import


def validate(document: object) -> list[str]:
    """The ways `document` breaks the EIDO schema, each as "json path: what to do"; [] if none."""
    return [f"{problem.field}: {problem.message}" for problem in _problems(document)]


def from_eido(
    document: Mapping[str, Any], *, type_codes: Collection[str] | None = None
) -> ImportedIncident:
    """What an EIDO document says about its incident, once it is checked against the schema.

    `type_codes` are the taxonomy codes we recognise (the bundled taxonomy's when None).
    InvalidInput naming the first few schema problems, or the location field when no location
    in the document gives WGS84 coordinates.
    """
    problems = _problems(document)
    if problems:
        count = len(problems)
        raise InvalidInput(
            f"The EIDO document does not match the NENA EIDO schema ({count} "
            f"problem{'s' if count != 1 else ''}).",
            problems[:MAX_PROBLEMS],
        )
    incident: Mapping[str, Any] = document.get("incidentComponent") or {}
    codes = _bundled_type_codes() if type_codes is None else type_codes
    internal = incident.get("incidentTypeInternalCode")
    lat, lon, address = _incident_location(document)
    return ImportedIncident(
        external_id=str(document["$id"]),
        sending_agency=str(document["updatedByAgencyReference"]["$ref"]),
        type_code=internal if isinstance(internal, str) and internal in codes else None,
        type_text=str(
            incident.get("incidentTypeInternalText")
            or incident.get("incidentTypeCommonRegistryText")
            or ""
        ),
        lat=lat,
        lon=lon,
        address=address,
        description=_description(document),
        callback_number=_callback_number(document),
        received_at=_received_at(document),
        caller_name=_caller_name(document),
    )


@cache
def _bundled_type_codes() -> frozenset[str]:
    return frozenset(load_taxonomy().types)


def _components(document: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = document.get(key)
    return [c for c in value if isinstance(c, Mapping)] if isinstance(value, list) else []


def _refs(component: Mapping[str, Any], key: str) -> list[str]:
    """The identifiers a component's reference or list of references names."""
    value = component.get(key)
    items = value if isinstance(value, list) else [value]
    return [str(item["$ref"]) for item in items if isinstance(item, Mapping) and "$ref" in item]


def _incident_location(document: Mapping[str, Any]) -> tuple[float, float, str]:
    incident = document.get("incidentComponent") or {}
    on_incident = _refs(incident, "locationReference")
    on_calls = [
        r
        for call in _components(document, "callComponent")
        for r in _refs(call, "locationReference")
    ]

    def rank(location: Mapping[str, Any]) -> tuple[int, int]:
        kind = location.get("locationTypeDescriptionRegistryText")
        if location["$id"] in on_incident:
            return 0, on_incident.index(location["$id"])
        if kind in _INCIDENT_LOCATION_TYPES:
            return 1, _INCIDENT_LOCATION_TYPES.index(kind)
        return (2, 0) if location["$id"] in on_calls else (3, 0)

    candidates = [
        c
        for c in _components(document, "locationComponent")
        if c.get("$id") in on_incident
        or c.get("locationTypeDescriptionRegistryText") in _INCIDENT_LOCATION_TYPES
        or c.get("$id") in on_calls
    ]
    for location in sorted(candidates, key=rank):
        pidf = location.get("locationByValue")
        point = _pidf_point(pidf) if isinstance(pidf, str) else None
        if point is not None:
            address = str(location.get("locationDescriptionText") or "").strip()
            return point[0], point[1], address or _civic_address(str(pidf))
    raise InvalidInput(
        "The EIDO document has no incident location with coordinates.",
        [
            FieldError(
                "$.locationComponent",
                "No incident location gives WGS84 coordinates: send a locationComponent whose "
                'locationByValue is a PIDF-LO with a gml:Point (gml:pos "lat lon"); a '
                "location by reference (URL) is not fetched",
            )
        ],
    )


def _parse_xml(text: str) -> ET.Element | None:
    """The PIDF-LO's root element; None for a document too large, with a DTD, or not XML."""
    if len(text) > MAX_PIDF_CHARS or _DTD.search(text):
        return None
    try:
        # Safe here: a document with a DTD (so any entity) is refused above, and expat does not
        # fetch external resources.
        return ET.fromstring(text)  # noqa: S314
    except ET.ParseError:
        return None


def _pidf_point(text: str) -> tuple[float, float] | None:
    """The WGS84 (lat, lon) of the first point or shape centre in a PIDF-LO, if it has one."""
    root = _parse_xml(text)
    if root is None:
        return None
    for shape in root.iter():
        if not isinstance(shape.tag, str) or shape.tag.rsplit("}", 1)[-1] not in (
            _SHAPES_WITH_CENTRE
        ):
            continue
        srs = shape.get("srsName", "")
        pos = shape.find(f"{{{_GML}}}pos")
        if pos is None or (srs and not srs.endswith(_WGS84)):
            continue
        try:
            numbers = [float(n) for n in (pos.text or "").split()]
        except ValueError:
            continue
        if len(numbers) not in (2, 3) or not all(math.isfinite(n) for n in numbers):
            continue
        lat, lon = numbers[0], numbers[1]
        if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
            return lat, lon
    return None


def _civic_address(text: str) -> str:
    """The civic address (RFC 5139) in a PIDF-LO as one line, or "" if it has none."""
    root = _parse_xml(text)
    civic = None if root is None else root.find(f".//{{{_CIVIC}}}civicAddress")
    if civic is None:
        return ""

    def part(name: str) -> str:
        element = civic.find(f"{{{_CIVIC}}}{name}")
        return " ".join((element.text or "").split()) if element is not None else ""

    street = " ".join(
        p
        for p in (part("HNO") + part("HNS"), part("PRD"), part("RD"), part("STS"), part("POD"))
        if p
    )
    parts = (part("NAM"), street, part("LOC"), part("A6"), part("A3"), part("A1"), part("PC"))
    return ", ".join(p for p in parts if p)


def _text(notes_html: str) -> str:
    """The plain text of an HTML5 note."""
    text = re.sub(r"<br\s*/?>|</p\s*>", "\n", notes_html, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]*>", "", text)).strip()


def _description(document: Mapping[str, Any]) -> str:
    """The notes on the calls, then on the incident, then any note nothing references."""
    notes = {str(n["$id"]): n for n in _components(document, "notesComponent")}
    referenced = {
        r
        for key, value in document.items()
        if key.endswith("Component") and key != "notesComponent"
        for component in (value if isinstance(value, list) else [value])
        if isinstance(component, Mapping)
        for r in _refs(component, "notesReference")
    }
    wanted = [
        r for call in _components(document, "callComponent") for r in _refs(call, "notesReference")
    ]
    wanted += _refs(document.get("incidentComponent") or {}, "notesReference")
    wanted += [i for i in notes if i not in referenced]
    texts: list[str] = []
    for note_id in dict.fromkeys(wanted):
        note = notes.get(note_id)
        text = _text(str(note["notesActionComments"])) if note is not None else ""
        if text:
            texts.append(text)
    return "\n".join(texts)


def _callback_number(document: Mapping[str, Any]) -> str | None:
    """The first usable callback number: the calls', then the callers', then any given."""
    callbacks = {str(c["$id"]): c for c in _components(document, "callbackComponent")}
    order = [
        r
        for call in _components(document, "callComponent")
        for r in _refs(call, "callBackReference")
    ]
    order += [r for person in _callers(document) for r in _refs(person, "callBackReference")]
    order += list(callbacks)
    for callback_id in dict.fromkeys(order):
        callback = callbacks.get(callback_id)
        if callback is None:
            continue
        uris = [u for u in callback.get("callBackInformationUri") or [] if isinstance(u, str)]
        updated = callback.get("updatedCbn")
        if isinstance(updated, Mapping):
            uris.append(str(updated.get("updatedCbnIdentifierUri", "")))
        for uri in uris:
            number = _number_of(uri)
            if number is not None:
                return number
    return None


def _number_of(uri: str) -> str | None:
    """The phone number in a tel: or sip: URI, in our form; None if it holds none."""
    scheme, _, rest = uri.partition(":")
    if scheme.lower() == "tel":
        candidate = rest.split(";", 1)[0]
    elif scheme.lower() in ("sip", "sips"):
        candidate = rest.split("@", 1)[0].split(";", 1)[0]
    else:
        return None
    candidate = re.sub(r"[.\-() ]", "", candidate)
    try:
        return normalise_number(candidate)
    except InvalidInput:
        return None


def _callers(document: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for person in _components(document, "personComponent"):
        roles = person.get("personIncidentRoleRegistryText") or []
        if any(isinstance(r, str) and r.lower() == "caller" for r in roles):
            yield person


def _caller_name(document: Mapping[str, Any]) -> str:
    for person in _callers(document):
        nc = person.get("ncPersonComponent")
        names = nc.get("name") if isinstance(nc, Mapping) else None
        for name in names if isinstance(names, list) else []:
            if not isinstance(name, Mapping):
                continue
            full = _niem_texts(name.get("personFullName"))
            parts = full or [
                *_niem_texts(name.get("personGivenName")),
                *_niem_texts(name.get("personSurName")),
            ]
            if parts:
                return " ".join(parts)
    return ""


def _niem_texts(value: object) -> list[str]:
    """The strings in a NIEM list of text objects ([{"value": ...}])."""
    items = value if isinstance(value, list) else []
    return [
        str(i["value"]).strip()
        for i in items
        if isinstance(i, Mapping) and isinstance(i.get("value"), str) and i["value"].strip()
    ]


def _received_at(document: Mapping[str, Any]) -> datetime:
    starts = [
        _parse_time(str(call["callStartTimestamp"]))
        for call in _components(document, "callComponent")
    ]
    found = [s for s in starts if s is not None]
    if found:
        return min(found)
    incident = document.get("incidentComponent") or {}
    for stamp in (incident.get("lastUpdateTimeStamp"), document["lastUpdateTimeStamp"]):
        at = _parse_time(str(stamp)) if stamp is not None else None
        if at is not None:
            return at
    raise InvalidInput(  # the schema's date-time check makes this unreachable
        "The EIDO document has no time.",
        [FieldError("$.lastUpdateTimeStamp", "Give an ISO 8601 time with a UTC offset")],
    )


# ---------------------------------------------------------------------------------------------
# The schema


def _parse_time(text: str) -> datetime | None:
    """An RFC 3339 date-time (ISO 8601 with a UTC offset), or None if `text` is not one."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    day, time, fraction, offset = match.groups()
    micro = f".{(fraction or '')[:6].ljust(6, '0')}" if fraction else ""
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        return datetime.fromisoformat(f"{day}T{time}{micro}{offset}")
    except ValueError:
        return None


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or _parse_time(value) is not None


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.match(value) is not None


def _without_niem(schema: Any) -> Any:
    """The schema with each $ref to a NIEM component file (not vendored) made "any object"."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return {"type": "object", "description": f"NIEM {ref.rsplit('/', 1)[-1]}, unchecked"}
        return {key: _without_niem(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_without_niem(value) for value in schema]
    return schema


@cache
def _validator() -> Draft4Validator:
    """A validator for the vendored schema's root component.

    The schema is an OpenAPI 3.0 file, whose Schema Objects are JSON Schema draft 4 (draft
    wright-00) with extensions none of which the EIDO uses; a $ref's sibling keywords are
    ignored, as draft 4 and OpenAPI 3.0 both say.
    """
    source = resources.files("safercity.contact").joinpath("data", "eido", SCHEMA_FILE)
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    root = {
        "$ref": f"#/components/schemas/{SCHEMA_ROOT}",
        "components": {"schemas": _without_niem(spec["components"]["schemas"])},
    }
    return Draft4Validator(root, format_checker=_FORMATS)


def _problems(document: object) -> list[FieldError]:
    """Every schema problem in `document`, one per JSON path, ordered by path."""
    found: dict[str, FieldError] = {}
    for error in _validator().iter_errors(document):
        problem = _field_error(error)
        found.setdefault(problem.field, problem)
    return [found[field] for field in sorted(found)]


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_error(error: ValidationError) -> FieldError:
    """A schema error as the field it is in, what is wrong and what to do about it."""
    path, rule, expected = error.json_path, error.validator, error.validator_value
    if rule == "required" and isinstance(error.instance, Mapping) and isinstance(expected, list):
        missing = [name for name in expected if name not in error.instance]
        name = missing[0] if missing else "?"
        return FieldError(f"{path}.{name}", f"{name} is missing: add it, the EIDO requires it")
    if rule == "type":
        return FieldError(path, f"{_short(error.instance)} is not a {expected}: send a {expected}")
    if rule == "enum" and isinstance(expected, list):
        allowed = ", ".join(_short(v) for v in expected)
        return FieldError(path, f"{_short(error.instance)} is not allowed: use one of {allowed}")
    if rule == "format" and expected == "date-time":
        return FieldError(
            path,
            f"{_short(error.instance)} is not a date and time with a UTC offset: use ISO 8601, "
            "e.g. 2026-11-23T09:00:00+00:00",
        )
    if rule == "format" and expected == "uri":
        return FieldError(
            path, f"{_short(error.instance)} is not a URI: use scheme:value, e.g. tel:+442079460001"
        )
    if rule == "minItems":
        return FieldError(path, f"the list is too short: give at least {expected} item(s)")
    return FieldError(path, f"{error.message}: correct it to match the NENA EIDO schema")
