"""Near-repeat warnings as OASIS Common Alerting Protocol 1.2 alerts.

Each warning is published as a CAP 1.2 ``<alert>``, checked against the official XSD (vendored
in ``data/cap/CAP-v1.2.xsd``) before it is stored: an alert that does not validate is never
published. CAP 1.2 (section 3.3.2) writes every time with a numeric offset and UTC as
``-00:00``; ``Z`` is not allowed, and ``+00:00``, though the XSD's pattern lets it through,
is not what the standard says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "prevention@safercity.invalid"


class CapInvalid(ValueError):
    """A document that the CAP 1.2 schema refuses."""


def cap_time(at: datetime) -> str:
    """A CAP date-time: UTC, whole seconds, written with ``-00:00``."""
    if at.tzinfo is None:
        raise ValueError("CAP times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


@dataclass(frozen=True)
class AlertContent:
    """What a near-repeat alert says. The circle is centred on the crime's anonymised map
    point, never its true place."""

    identifier: str
    sent: datetime
    expires: datetime
    crime_type: str
    location: str
    lat: float
    lon: float
    radius_m: float
    advice: str
    web: str
    references: str | None = None  # "sender,identifier,sent" of the alert this one updates


def _add(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, f"{{{CAP_NS}}}{tag}").text = text


def build_alert(content: AlertContent) -> bytes:
    """The alert as CAP 1.2 XML, validated; CapInvalid if the schema refuses it."""
    alert = etree.fromstring(f'<alert xmlns="{CAP_NS}"/>'.encode())
    _add(alert, "identifier", content.identifier)
    _add(alert, "sender", SENDER)
    _add(alert, "sent", cap_time(content.sent))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", "Update" if content.references else "Alert")
    _add(alert, "scope", "Public")
    if content.references:
        _add(alert, "references", content.references)
    info = etree.SubElement(alert, f"{{{CAP_NS}}}info")
    _add(info, "language", "en-GB")
    _add(info, "category", "Security")
    _add(info, "event", f"{content.crime_type}: near-repeat risk")
    _add(info, "responseType", "Prepare")
    _add(info, "urgency", "Expected")
    _add(info, "severity", "Minor")
    _add(info, "certainty", "Likely")
    _add(info, "effective", cap_time(content.sent))
    _add(info, "expires", cap_time(content.expires))
    _add(info, "senderName", "SaferCity crime prevention")
    place = content.location.removeprefix("On or near").strip() or "a street nearby"
    _add(info, "headline", f"{content.crime_type} recorded near {place}")
    _add(
        info,
        "description",
        f"A {content.crime_type.lower()} was recorded near {place}. Homes within "
        f"{content.radius_m:g} m run a raised risk of the same crime until "
        f"{content.expires:%d %B %Y}.",
    )
    _add(info, "instruction", content.advice)
    _add(info, "web", content.web)
    area = etree.SubElement(info, f"{{{CAP_NS}}}area")
    _add(area, "areaDesc", f"Within {content.radius_m:g} m of {place}")
    _add(area, "circle", f"{content.lat:.6f},{content.lon:.6f} {content.radius_m / 1000:.3f}")
    xml = etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(xml)
    return bytes(xml)


@cache
def _schema() -> etree.XMLSchema:
    path = resources.files("safercity.prevention").joinpath("data", "cap", "CAP-v1.2.xsd")
    return etree.XMLSchema(etree.fromstring(path.read_bytes()))


def validate(xml: bytes) -> None:
    """Raise CapInvalid, naming the schema's complaints, unless ``xml`` is a valid CAP 1.2
    alert whose times are written as the standard says."""
    try:
        document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:
        raise CapInvalid(f"not XML: {error}") from None
    schema = _schema()
    if not schema.validate(document):
        raise CapInvalid(str(schema.error_log))
    for tag in ("sent", "effective", "onset", "expires"):
        for element in document.iter(f"{{{CAP_NS}}}{tag}"):
            if (element.text or "").endswith("+00:00"):
                raise CapInvalid(f"{tag}: CAP writes UTC as -00:00, not +00:00")
