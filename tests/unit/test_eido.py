"""NENA EIDO export and import of a 999 incident, checked against the vendored schema."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

from safercity.contact.eido import (
    COMMON_INCIDENT_TYPES,
    EidoAgency,
    from_eido,
    to_eido,
    tracking_id,
    validate,
)
from safercity.contact.grading import grade
from safercity.contact.model import (
    Call,
    Incident,
    Location,
    Thrive,
    VulnerabilityFlag,
    join_call,
    merge_incidents,
    open_incident,
)
from safercity.contact.taxonomy import KeyAnswers, load_taxonomy
from safercity.dispatch.assignment import Assignment, AssignmentStatus
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit, UnitType
from safercity.platform.errors import InvalidInput

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SENT = T0 + timedelta(minutes=12)
AGENCY = EidoAgency(
    "london.safercity.example", "SaferCity London joint 999", "https://safercity.example/"
)
SCENE = Location(51.5080, -0.1281, "Trafalgar Square, Westminster")
UNITS = {
    "A21-P1": Unit(
        "A21-P1",
        Service.FIRE,
        "LFB",
        UnitType.FIRE_ENGINE,
        "A21",
        frozenset({Capability.FIREFIGHTING, Capability.RESCUE, Capability.DEFIBRILLATOR}),
        4,
    ),
    "A1-AMB1": Unit(
        "A1-AMB1",
        Service.AMBULANCE,
        "LAS",
        UnitType.AMBULANCE,
        "A1",
        frozenset({Capability.PARAMEDIC, Capability.PATIENT_TRANSPORT}),
        2,
    ),
}


def _schema_file() -> str:
    path = resources.files("safercity.contact").joinpath("data", "eido", "openapi.yaml")
    return path.read_text(encoding="utf-8")


def _incident() -> Incident:
    """A road traffic collision with two calls, THRIVE notes and a child involved."""
    grading = grade(
        load_taxonomy().get("rtc_persons_trapped"), KeyAnswers(persons_trapped=True, injured=True)
    )
    first = Call(
        "101",
        T0,
        SCENE,
        "Car into a bus stop, the driver is trapped & bleeding",
        "+44 20 7946 0001",
        "Sam Jones",
    )
    second = Call(
        "102",
        T0 + timedelta(minutes=2),
        Location(51.5083, -0.1283, "Outside the National Gallery"),
        "Two cars collided, a child in the back seat is crying",
    )
    thrive = Thrive(
        threat="traffic still moving past the scene",
        harm="driver trapped, bleeding from the head",
        vulnerability="child passenger, about 8",
    )
    opened = open_incident("42", first, grading, [VulnerabilityFlag.CHILD], thrive)
    return join_call(opened, second)


def _assignments() -> list[Assignment]:
    engine_at = T0 + timedelta(minutes=3)
    ambulance_at = T0 + timedelta(minutes=4)
    return [
        Assignment(
            id=7,
            incident_id="42",
            call_sign="A21-P1",
            status=AssignmentStatus.ON_SCENE,
            dispatched_at=engine_at,
            status_at=engine_at + timedelta(minutes=6),
            eta_s=360.0,
            en_route_due=engine_at + timedelta(seconds=80),
            on_scene_due=engine_at + timedelta(minutes=6),
            reason="nearest pump with rescue kit",
            dispatched_by="handler-3",
        ),
        Assignment(
            id=8,
            incident_id="42",
            call_sign="A1-AMB1",
            status=AssignmentStatus.EN_ROUTE,
            dispatched_at=ambulance_at,
            status_at=ambulance_at + timedelta(seconds=60),
            eta_s=540.0,
            en_route_due=ambulance_at + timedelta(seconds=60),
            on_scene_due=ambulance_at + timedelta(minutes=9),
            reason="",
            dispatched_by="handler-3",
        ),
    ]


def _export(incident: Incident | None = None) -> dict[str, Any]:
    incident = incident or _incident()
    label = load_taxonomy().get(incident.type_code).label
    return to_eido(incident, _assignments(), UNITS, agency=AGENCY, sent_at=SENT, type_label=label)


def _by_id(document: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {c["$id"]: c for c in document[key]}


# The vendored schema


def test_every_vendored_schema_component_is_a_valid_draft_4_schema() -> None:
    spec = yaml.safe_load(_schema_file())
    for schema in spec["components"]["schemas"].values():
        Draft4Validator.check_schema(schema)


def test_the_upstream_typo_is_fixed_and_would_be_caught() -> None:
    text = _schema_file()
    assert re.search(r"^ +minItems: 1,", text, re.MULTILINE) is None
    broken = yaml.safe_load(
        text.replace("              minItems: 1\n", "              minItems: 1,\n", 1)
    )
    with pytest.raises(SchemaError):
        Draft4Validator.check_schema(broken["components"]["schemas"]["AgentType"])


def test_nenas_own_sample_validates_but_has_no_location_to_import() -> None:
    path = resources.files("safercity.contact").joinpath(
        "data", "eido", "sample_call_transfer_eido.json"
    )
    sample = json.loads(path.read_text(encoding="utf-8"))
    assert validate(sample) == []
    # Its locations are a civic address without coordinates and a URL we do not fetch.
    with pytest.raises(InvalidInput) as raised:
        from_eido(sample)
    assert [e.field for e in raised.value.field_errors] == ["$.locationComponent"]


def test_every_taxonomy_type_has_a_common_eido_incident_type() -> None:
    assert set(load_taxonomy().types) <= set(COMMON_INCIDENT_TYPES)


# Export


def test_the_export_of_a_real_incident_validates_against_the_schema() -> None:
    assert validate(_export()) == []


def test_the_schema_check_can_fail() -> None:
    document = _export()
    missing = copy.deepcopy(document)
    del missing["incidentComponent"]["incidentTypeCommonRegistryText"]
    assert validate(missing) == [
        "$.incidentComponent.incidentTypeCommonRegistryText: "
        "incidentTypeCommonRegistryText is missing: add it, the EIDO requires it"
    ]
    wrong = copy.deepcopy(document)
    wrong["callComponent"][0]["direction"] = 5
    wrong["emergencyResourceComponent"][1]["secondaryUnitStatusRegistryText"] = "EnRoute"
    problems = validate(wrong)
    assert len(problems) == 2
    assert problems[0].startswith("$.callComponent[0].direction: 5 is not a string")
    assert problems[1].startswith("$.emergencyResourceComponent[1].secondaryUnitStatusRegistryText")
    no_offset = copy.deepcopy(document)
    no_offset["lastUpdateTimeStamp"] = "2026-11-23T09:12:00"
    assert validate(no_offset) == [
        '$.lastUpdateTimeStamp: "2026-11-23T09:12:00" is not a date and time with a UTC offset: '
        "use ISO 8601, e.g. 2026-11-23T09:00:00+00:00"
    ]
    assert validate([]) != []


def test_the_export_names_the_incident_its_type_status_and_priority() -> None:
    document = _export()
    assert document["$id"] == "urn:emergency:uid:incidentid:42:london.safercity.example"
    assert document["eidoVersion"] == "1.0"
    assert document["lastUpdateTimeStamp"] == "2026-11-23T09:12:00+00:00"
    incident = document["incidentComponent"]
    assert incident["internalIncidentId"] == "42"
    assert incident["incidentTypeInternalCode"] == "rtc_persons_trapped"
    assert incident["incidentTypeInternalText"] == "Road traffic collision, persons trapped"
    assert incident["incidentTypeCommonRegistryText"] == "XTRICATE"
    assert incident["incidentStatusInternalText"] == ["open"]
    assert incident["incidentStatusCommonRegistryText"] == [
        "Active",
        "ResourcesAssigned",
        "ResourcesEnroute",
        "ResourcesOnscene",
    ]
    assert incident["incidentPriorityInternalText"] == "ambulance C2, police I, fire emergency"


def test_the_export_gives_the_location_as_a_wgs84_point_with_the_address() -> None:
    document = _export()
    locations = _by_id(document, "locationComponent")
    scene = locations[document["incidentComponent"]["locationReference"][0]["$ref"]]
    assert scene["locationTypeDescriptionRegistryText"] == "CurrentIncident"
    assert scene["locationDescriptionText"] == "Trafalgar Square, Westminster"
    assert '<gml:Point srsName="urn:ogc:def:crs:EPSG::4326">' in scene["locationByValue"]
    assert "<gml:pos>51.508 -0.1281</gml:pos>" in scene["locationByValue"]
    # The second caller gave another spot: it is kept as the call's own location.
    second = document["callComponent"][1]
    own = locations[second["locationReference"][0]["$ref"]]
    assert own["locationDescriptionText"] == "Outside the National Gallery"


def test_the_export_carries_each_call_with_its_callback_caller_and_words() -> None:
    document = _export()
    notes = _by_id(document, "notesComponent")
    callbacks = _by_id(document, "callbackComponent")
    persons = _by_id(document, "personComponent")
    first, second = document["callComponent"]
    assert first["$id"] == "urn:emergency:uid:callid:101:london.safercity.example"
    assert first["callStartTimestamp"] == "2026-11-23T09:00:00+00:00"
    assert second["callStartTimestamp"] == "2026-11-23T09:02:00+00:00"
    assert first["direction"] == "incoming"
    callback = callbacks[first["callBackReference"]["$ref"]]
    assert callback["callBackInformationUri"] == ["tel:+442079460001"]
    assert "callBackReference" not in second  # the second caller withheld the number
    words = notes[first["notesReference"][0]["$ref"]]["notesActionComments"]
    assert words == "Car into a bus stop, the driver is trapped &amp; bleeding"
    caller = persons[first["personReference"][0]["$ref"]]
    assert caller["personIncidentRoleRegistryText"] == ["Caller"]
    assert caller["callIdentifier"] == [first["$id"]]
    assert caller["ncPersonComponent"]["name"][0]["personFullName"][0]["value"] == "Sam Jones"
    unnamed = persons[second["personReference"][0]["$ref"]]
    assert "ncPersonComponent" not in unnamed  # no name given, none sent


def test_the_export_keeps_thrive_notes_and_vulnerability_flags_as_notes() -> None:
    document = _export()
    notes = _by_id(document, "notesComponent")
    texts = [
        notes[r["$ref"]]["notesActionComments"]
        for r in document["incidentComponent"]["notesReference"]
    ]
    assert texts == [
        "THRIVE threat: traffic still moving past the scene",
        "THRIVE harm: driver trapped, bleeding from the head",
        "THRIVE vulnerability: child passenger, about 8",
        "THRIVE overall risk: high (derived)",
        "Vulnerability flags: Child",
    ]


def test_the_export_lists_each_unit_with_its_agency_type_status_and_dispatch_time() -> None:
    document = _export()
    engine, ambulance = document["emergencyResourceComponent"]
    assert engine["emergencyResourceName"] == "A21-P1"
    assert engine["emergencyResourceTypeCommonRegistryText"] == "StructureFireEngineType1"
    assert engine["emergencyResourceTypeInternalText"] == "fire_engine"
    assert engine["unitStatusInternal"] == ["on_scene"]
    assert engine["primaryUnitStatusRegistryText"] == "NotAvailable"
    assert engine["secondaryUnitStatusRegistryText"] == ["OnScene"]
    assert engine["resourceAttributeRegistryText"] == [
        "ExtricationEquipmentBasic",
        "Firefighter",
        "Other",
    ]
    assert engine["resourceAttributeInternalText"] == ["defibrillator", "firefighting", "rescue"]
    assert ambulance["emergencyResourceName"] == "A1-AMB1"
    assert ambulance["emergencyResourceTypeCommonRegistryText"] == "GroundALSAmbulance"
    assert ambulance["secondaryUnitStatusRegistryText"] == ["EnRoute"]
    assert ambulance["eta"] == "2026-11-23T09:13:00+00:00"
    assert ambulance["activeOnIncidentId"] == document["$id"]
    dispatches = document["dispatchComponent"]
    assert [d["lastUpdateTimeStamp"] for d in dispatches] == [
        "2026-11-23T09:03:00+00:00",
        "2026-11-23T09:04:00+00:00",
    ]
    assert [d["emergencyResourceReference"][0]["$ref"] for d in dispatches] == [
        engine["$id"],
        ambulance["$id"],
    ]
    agencies = _by_id(document, "agencyComponent")
    assert [d["agencyReference"]["$ref"] for d in dispatches] == [
        "lfb.london.safercity.example",
        "las.london.safercity.example",
    ]
    assert agencies["lfb.london.safercity.example"]["agencyType"] == ["fire"]
    assert agencies["las.london.safercity.example"]["agencyType"] == ["ems"]
    sender = agencies["london.safercity.example"]
    assert sender["incidentOwningAgencyIndicator"] is True
    assert json.loads(sender["agencyJcard"])[1][2] == [
        "fn",
        {},
        "text",
        "SaferCity London joint 999",
    ]


def test_every_time_in_the_export_has_a_utc_offset() -> None:
    def times(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [
                v
                for k, v in node.items()
                if k in ("eta",) or k.endswith(("TimeStamp", "Timestamp"))
            ]
            return found + [t for v in node.values() for t in times(v)]
        if isinstance(node, list):
            return [t for v in node for t in times(v)]
        return []

    stamps = times(_export())
    assert len(stamps) > 20
    assert all(datetime.fromisoformat(s).utcoffset() is not None for s in stamps)


def test_a_merged_incident_points_to_the_one_that_replaced_it() -> None:
    keep = _incident()
    grading = grade(load_taxonomy().get("rtc_persons_trapped"), KeyAnswers())
    other = open_incident("43", Call("103", T0, SCENE, "crash in the square"), grading)
    _, merged = merge_incidents(keep, other)
    document = to_eido(merged, [], UNITS, agency=AGENCY, sent_at=SENT, type_label="RTC")
    assert validate(document) == []
    assert document["mergeComponent"][0]["incidentMergeDirectionCode"] == "REPLACING"
    assert document["mergeComponent"][0]["incidentTrackingIdentifier"] == tracking_id("42", AGENCY)
    assert document["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Closed"]


def test_the_export_refuses_times_without_offset_and_units_it_does_not_know() -> None:
    incident = _incident()
    with pytest.raises(ValueError, match="UTC offset"):
        to_eido(incident, [], UNITS, agency=AGENCY, sent_at=datetime(2026, 11, 23), type_label="x")
    with pytest.raises(ValueError, match="not in the fleet"):
        to_eido(incident, _assignments(), {}, agency=AGENCY, sent_at=SENT, type_label="x")
    with pytest.raises(ValueError, match="domain name"):
        EidoAgency("not a domain", "x", "https://x.example/")


# Import


def test_a_round_trip_gives_back_the_location_type_description_and_callback() -> None:
    incident = _incident()
    imported = from_eido(_export(incident))
    assert (imported.lat, imported.lon) == (SCENE.lat, SCENE.lon)
    assert imported.address == SCENE.address
    assert imported.type_code == incident.type_code
    assert imported.type_text == "Road traffic collision, persons trapped"
    assert imported.callback_number == "02079460001"
    assert imported.received_at == T0
    assert imported.external_id == tracking_id("42", AGENCY)
    assert imported.sending_agency == "london.safercity.example"
    assert imported.caller_name == "Sam Jones"
    assert imported.description.splitlines() == [
        "Car into a bus stop, the driver is trapped & bleeding",
        "Two cars collided, a child in the back seat is crying",
        "THRIVE threat: traffic still moving past the scene",
        "THRIVE harm: driver trapped, bleeding from the head",
        "THRIVE vulnerability: child passenger, about 8",
        "THRIVE overall risk: high (derived)",
        "Vulnerability flags: Child",
    ]


def test_a_round_trip_of_a_one_call_incident_gives_back_its_words_exactly() -> None:
    grading = grade(load_taxonomy().get("cardiac_arrest"), KeyAnswers(breathing=False))
    call = Call("c-9", T0, SCENE, "He collapsed <suddenly>\nand is not breathing", "07700 900123")
    incident = open_incident("i-9", call, grading)
    document = to_eido(incident, [], {}, agency=AGENCY, sent_at=SENT, type_label="Arrest")
    assert validate(document) == []
    imported = from_eido(document)
    assert imported.description.startswith(call.description + "\n")
    assert imported.callback_number == call.callback_number == "07700900123"
    assert imported.type_code == "cardiac_arrest"
    assert imported.caller_name == ""
    assert imported.external_id.startswith("urn:emergency:uid:incidentid:")
    assert imported.external_id.endswith(":london.safercity.example")


def test_importing_an_invalid_document_names_the_field() -> None:
    document = _export()
    del document["eidoVersion"]
    document["callComponent"][1]["callStartTimestamp"] = "23/11/2026 09:02"
    with pytest.raises(InvalidInput) as raised:
        from_eido(document)
    fields = [e.field for e in raised.value.field_errors]
    assert fields == ["$.callComponent[1].callStartTimestamp", "$.eidoVersion"]
    assert "2 problems" in raised.value.detail


def test_importing_a_document_without_a_usable_location_names_the_location() -> None:
    document = _export()
    for location in document["locationComponent"]:
        location["locationByValue"] = location["locationByValue"].replace("gml:pos", "gml:nope")
    with pytest.raises(InvalidInput) as raised:
        from_eido(document)
    assert raised.value.field_errors[0].field == "$.locationComponent"


def test_a_location_with_a_dtd_is_not_parsed() -> None:
    document = _export()
    for location in document["locationComponent"]:
        location["locationByValue"] = location["locationByValue"].replace(
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]>',
        )
    with pytest.raises(InvalidInput, match="no incident location"):
        from_eido(document)


# Written by hand after the sample in NENA911/EIDO-JSON: a Pennsylvania PSAP's incident with a
# circle around the caller and a civic address, our taxonomy unknown to it.
OTHER_AGENCY: dict[str, Any] = {
    "$id": "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us",
    "lastUpdateTimeStamp": "2021-04-30T14:43:49.439-04:00",
    "updatedByAgencyReference": {"$ref": "state.pa.us"},
    "eidoVersion": "1.0",
    "issuingElementIdentification": "idx.state.pa.us",
    "incidentComponent": {
        "$id": "urn:emergency:uid:eidodatacomponent:inc1:state.pa.us",
        "lastUpdateTimeStamp": "2021-04-30T14:43:00-04:00",
        "updatedByAgencyReference": {"$ref": "state.pa.us"},
        "incidentTypeCommonRegistryText": "MVAINJY",
        "incidentTypeInternalCode": "10-50PI",
        "incidentTypeInternalText": "Vehicle crash with injuries",
        "locationReference": [{"$ref": "loc-1"}],
        "notesReference": [{"$ref": "note-2"}],
    },
    "callComponent": [
        {
            "$id": "urn:emergency:uid:callid:a56e556d871:bcf.state.pa.us",
            "lastUpdateTimeStamp": "2021-04-30T14:42:00.0-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "standardPrimaryCallType": "emergency",
            "direction": "incoming",
            "callStartTimestamp": "2021-04-30T14:40:00.0-04:00",
            "callStateRegistryText": "callAnswered",
            "callBackReference": {"$ref": "cb-1"},
            "notesReference": [{"$ref": "note-1"}],
        }
    ],
    "callbackComponent": [
        {
            "$id": "cb-1",
            "lastUpdateTimeStamp": "2021-04-30T14:40:00.0-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "callBackInformationUri": ["sip:conference@bridge.example.com", "tel:+1-717-555-0100"],
        }
    ],
    "notesComponent": [
        {
            "$id": "note-1",
            "lastUpdateTimeStamp": "2021-04-30T14:41:00-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "notesActionComments": "<p>Two vehicles, one on its roof &amp; smoking</p>",
        },
        {
            "$id": "note-2",
            "lastUpdateTimeStamp": "2021-04-30T14:43:00-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "notesActionComments": "Fire and EMS requested",
        },
    ],
    "agencyComponent": [
        {
            "$id": "state.pa.us",
            "lastUpdateTimeStamp": "2021-04-30T14:40:00.0-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "agencyRoleDescriptionRegistryText": ["CallReceiving"],
            "agencyType": ["psap"],
        }
    ],
    "locationComponent": [
        {
            "$id": "loc-0",
            "lastUpdateTimeStamp": "2021-04-30T14:40:00.0-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "locationTypeDescriptionRegistryText": "TowerLocation",
            "locationByValue": (
                '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:t@example.com">'
                '<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="EPSG:4326">'
                "<gml:pos>40.0 -77.0</gml:pos></gml:Point></presence>"
            ),
        },
        {
            "$id": "loc-1",
            "lastUpdateTimeStamp": "2021-04-30T14:40:30.0-04:00",
            "updatedByAgencyReference": {"$ref": "state.pa.us"},
            "locationTypeDescriptionRegistryText": "CurrentIncident",
            "locationByValue": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
                'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" '
                'xmlns:gml="http://www.opengis.net/gml" '
                'xmlns:gs="http://www.opengis.net/pidflo/1.0" '
                'xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" '
                'entity="pres:caller@example.com"><tuple id="t1"><status><gp:geopriv>'
                "<gp:location-info>"
                '<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326">'
                "<gml:pos>40.2737 -76.8844</gml:pos>"
                '<gs:radius uom="urn:ogc:def:uom:EPSG::9001">50</gs:radius></gs:Circle>'
                "<ca:civicAddress><ca:country>US</ca:country><ca:A1>PA</ca:A1>"
                "<ca:A3>Harrisburg</ca:A3><ca:HNO>400</ca:HNO><ca:RD>North</ca:RD>"
                "<ca:STS>Street</ca:STS><ca:PC>17120</ca:PC></ca:civicAddress>"
                "</gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple></presence>"
            ),
        },
    ],
}


def test_a_document_from_another_agency_imports() -> None:
    assert validate(OTHER_AGENCY) == []
    imported = from_eido(OTHER_AGENCY)
    assert imported.external_id == "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"
    assert imported.sending_agency == "state.pa.us"
    assert imported.type_code is None  # "10-50PI" is not one of ours
    assert imported.type_text == "Vehicle crash with injuries"
    assert (imported.lat, imported.lon) == (40.2737, -76.8844)  # the incident's, not the tower's
    assert imported.address == "400 North Street, Harrisburg, PA, 17120"
    assert imported.description == "Two vehicles, one on its roof & smoking\nFire and EMS requested"
    assert imported.callback_number == "+17175550100"
    assert imported.received_at == datetime(
        2021, 4, 30, 14, 40, tzinfo=timezone(-timedelta(hours=4))
    )
    assert imported.received_at.utcoffset() is not None


def test_a_document_with_one_of_our_codes_gives_the_code() -> None:
    document = copy.deepcopy(OTHER_AGENCY)
    document["incidentComponent"]["incidentTypeInternalCode"] = "rtc_persons_trapped"
    assert from_eido(document).type_code == "rtc_persons_trapped"
    assert from_eido(document, type_codes={"flooding"}).type_code is None
