"""Country names as the official lists write them ("Iran (Islamic Republic of)", "Russia",
"Türkiye") resolved to ISO codes through the country table."""

import re
import unicodedata

from apps.geo.historical import historical_state, records_for
from apps.geo.models import Country

# Names the lists use that the ISO table does not carry as a name or an alias.
SYNONYMS = {
    "russia": "RU",
    "iran": "IR",
    "iran islamic republic of": "IR",
    "democratic peoples republic of korea": "KP",
    "north korea": "KP",
    "korea north": "KP",  # OFAC: "Korea, North"
    "korea south": "KR",
    "dprk": "KP",
    "republic of korea": "KR",
    "south korea": "KR",
    "syria": "SY",
    "czech republic": "CZ",
    "turkey": "TR",
    "turkiye": "TR",
    "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "united states": "US",
    "united states of america": "US",
    "viet nam": "VN",
    "vietnam": "VN",
    "state of palestine": "PS",
    "palestine": "PS",
    "british virgin islands": "VG",
    "china hong kong special administrative region": "HK",
    "hong kong": "HK",
    "congo": "CG",
    "democratic republic of the congo": "CD",
    "united republic of tanzania": "TZ",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
    "laos": "LA",
    "moldova": "MD",
    "burma": "MM",
    "kosovo": "XK",
}


def normalize_country_name(name):
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = re.sub(r"[^a-z0-9]+", " ", text.replace("'", "").replace("’", "")).strip()
    return re.sub(r"^the ", "", text)


class CountryResolver:
    """Names → ISO alpha-2 codes, read from the country table once."""

    def __init__(self):
        self.codes = {}
        known = set()
        for iso2, iso3, name, official_name, aliases in Country.objects.values_list(
            "iso2", "iso3", "name", "official_name", "aliases"
        ):
            known.add(iso2)
            for value in (iso2, iso3, name, official_name, *(aliases or [])):
                if value:
                    self.codes.setdefault(normalize_country_name(value), iso2)
        for name, iso2 in SYNONYMS.items():
            if iso2 in known:
                self.codes.setdefault(name, iso2)

        # Historical states met by ``code`` (apps.geo.historical), whatever the table holds.
        self.historical = set()

    def code(self, name):
        """The ISO code of a country name, or None when it names no country we know. A state
        that no longer exists ("Soviet Union", "YUG") gets its former code and is remembered,
        so that the importer can add it to the country table (``country_records``)."""
        if not name:
            return None
        found = self.codes.get(normalize_country_name(name))
        if found is not None:
            return found
        state = historical_state(name)
        if state is None:
            return None
        self.historical.add(state)
        return state.iso2

    def current(self, name):
        """The ISO code of a country the table holds, by name or code, or None: historical
        states are not looked up (for an importer that adds no country to the table)."""
        return self.codes.get(normalize_country_name(name)) if name else None

    def country_records(self):
        """``geo.country`` record fields for the historical states met that the table lacks:
        the importer loads them before the records that name them."""
        return records_for(self.historical)
