"""States that no longer exist, as the UN's voting data and SIPRI's register still name them.

The country table holds the 249 countries of ISO 3166-1 today. A vote cast by the Soviet Union
in 1950 or a delivery to Yugoslavia in 1985 needs its own country: these are the states of
ISO 3166-3 that sat on the Security Council or appear in the arms-transfer records, with their
former alpha-2 and alpha-3 codes. They are added to the country table by the importer that
first meets one (``records_for``), never by default, so a first run still has 249 countries.
"""

from dataclasses import dataclass

from apps.geo.models import Country


@dataclass(frozen=True)
class HistoricalState:
    """A state that no longer exists: its former ISO codes, its name and the names the
    sources write, and the day it ceased to exist."""

    iso2: str
    iso3: str
    name: str
    aliases: tuple = ()
    ended_on: str = ""
    # The Soviet Union held a permanent seat on the Security Council (its no votes were vetoes).
    sc_permanent_member: bool = False

    def record_fields(self):
        """The ``geo.country`` record the loader writes for it."""
        return {
            "iso2": self.iso2,
            "iso3": self.iso3,
            "name": self.name,
            "official_name": self.name,
            "aliases": list(self.aliases),
            "sc_permanent_member": self.sc_permanent_member,
        }


HISTORICAL_STATES = (
    HistoricalState(
        "SU", "SUN", "Soviet Union", ("USSR", "Union of Soviet Socialist Republics"), "1991-12-26", True
    ),
    HistoricalState(
        "YU",
        "YUG",
        "Yugoslavia",
        ("Socialist Federal Republic of Yugoslavia", "Federal Republic of Yugoslavia"),
        "2003-02-04",
    ),
    HistoricalState("CS", "CSK", "Czechoslovakia", ("Czechoslovak Socialist Republic",), "1992-12-31"),
    HistoricalState("DD", "DDR", "East Germany", ("German Democratic Republic",), "1990-10-03"),
    HistoricalState(
        "YD",
        "YMD",
        "South Yemen",
        ("Democratic Yemen", "People's Democratic Republic of Yemen", "Yemen, Democratic"),
        "1990-05-22",
    ),
    HistoricalState("ZR", "ZAR", "Zaire", ("Republic of Zaire",), "1997-05-17"),
)  # fmt: skip

_BY_KEY = {}
for _state in HISTORICAL_STATES:
    for _key in (_state.iso2, _state.iso3, _state.name, *_state.aliases):
        _BY_KEY[_key.casefold()] = _state


def historical_state(name_or_code):
    """The historical state a name or a former ISO code (alpha-2 or alpha-3) stands for, or None."""
    return _BY_KEY.get((name_or_code or "").strip().casefold())


def records_for(states):
    """``geo.country`` record fields for those of ``states`` the country table lacks."""
    present = set(Country.objects.filter(iso2__in=[s.iso2 for s in states]).values_list("iso2", flat=True))
    return [state.record_fields() for state in sorted(set(states), key=lambda s: s.iso2) if state.iso2 not in present]
