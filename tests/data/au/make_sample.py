"""Writes ``dfat_consolidated_sample.xlsx``: a few entries in the layout of DFAT's consolidated
list (the header, then one row per name: ``2`` an entry, ``2a`` its other names), read by
tests/ingest/test_list_au.py.

The entries are UN designations Australia implements (their names, dates and UN references
as tests/data/un/ holds them), a vessel the UN's 1718 Committee designated on 30 March 2018,
and one of Australia's own Russia designations of 2022. The ``Type`` cells keep the stray
spaces and case of the real files; the ``Control Date`` cells are the listing dates, not
DFAT's own (the importer does not read them).

    python tests/data/au/make_sample.py
"""

import datetime
from pathlib import Path

from openpyxl import Workbook

HEADER = (
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)
D = datetime.datetime
ROWS = (
    (
        1,
        "RI WON HO",
        "individual ",
        "Primary Name",
        D(1964, 7, 17),
        "",
        "Democratic People's Republic of Korea",
        "Syria",
        "DPRK Ministry of State Security Official stationed in Syria supporting KOMID. Passport no. 381310014.",
        "Listed under UNSC Resolution 2321 (2016) on 30 November 2016 (KPi.033).",
        "DPRK",
        D(2016, 11, 30),
    ),
    (
        2,
        "KOREA MINING DEVELOPMENT TRADING CORPORATION",
        " Entity",
        "Primary Name",
        "",
        "",
        "",
        "Central District, Pyongyang, Democratic People's Republic of Korea",
        "Primary arms dealer and main exporter of goods and equipment related to ballistic missiles and "
        "conventional weapons.",
        "Listed by the 1718 Committee on 24 April 2009 (KPe.001).",
        "DPRK",
        D(2009, 4, 24),
    ),
    ("2a", "CHANGGWANG SINYONG CORPORATION", " Entity", "Alias", "", "", "", "", "", "", "DPRK", D(2009, 4, 24)),
    ("2b", "KOMID", " Entity", "Alias", "", "", "", "", "", "", "DPRK", D(2009, 4, 24)),
    (
        3,
        "MOHAMMAD HASSAN AKHUND",
        "INDIVIDUAL",
        "Primary Name",
        "Approximately 1955-1958; Approximately 1945-1950",
        "Pashmul village, Panjwai District, Kandahar Province, Afghanistan",
        "Afghanistan",
        "",
        "A close associate of Mullah Mohammed Omar (TAi.004).",
        "TAi.002. Listed on 25 January 2001.",
        "1988 (Taliban)",
        D(2001, 1, 25),
    ),
    ("3a", "محمد حسن آخوند", "INDIVIDUAL", "Original Script", "", "", "", "", "", "", "1988 (Taliban)", D(2001, 1, 25)),
    (
        4,
        "CHON MA SAN",
        "Entity ",
        "Primary Name",
        "",
        "",
        "",
        "",
        "Oil tanker. IMO number: 8660313.",
        "Designated by the 1718 Committee on 30 March 2018.",
        "DPRK",
        D(2018, 3, 30),
    ),
    (
        5,
        "Vladimir Vladimirovich PUTIN",
        "Individual",
        "Primary Name",
        D(1952, 10, 7),
        "Leningrad, USSR (now Saint Petersburg, Russia)",
        "Russia",
        "",
        "President of the Russian Federation.",
        "Autonomous Sanctions (Designated Persons and Entities and Declared Persons - Russia and Ukraine) "
        "Amendment (No. 4) Instrument 2022.",
        "Russia",
        D(2022, 2, 28),
    ),
)


def write(path, rows=ROWS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Consolidated List"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


if __name__ == "__main__":
    write(Path(__file__).with_name("dfat_consolidated_sample.xlsx"))
