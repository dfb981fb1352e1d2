"""Writes ConList.xlsx: ConList-v1.csv as OFSI's workbook holds it (one sheet; dates as date
cells, Group IDs and passport numbers as numbers). Run from the repository's root:
``python tests/data/uk/make_xlsx.py``."""

import csv
import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
DATES = ("Listed On", "UK Sanctions List Date Designated", "Last Updated")
NUMBERS = ("Group ID", "Passport Number")


def cell(column, value):
    if value and column in DATES:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()
    if value and column in NUMBERS and value.isdigit():
        return int(value)
    return value or None


def main():
    with (HERE / "ConList-v1.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ConList"
    sheet.append([rows[0][0], cell("Last Updated", rows[0][1])])
    header = rows[1]
    sheet.append(header)
    for row in rows[2:]:
        sheet.append([cell(column, value) for column, value in zip(header, row, strict=True)])
    for number_cell in sheet["A1:AJ20"]:
        for one in number_cell:
            if isinstance(one.value, datetime.date):
                one.number_format = "DD/MM/YYYY"
    workbook.properties.creator = "sanctionsdb tests"
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2024, 1, 15)
    workbook.save(HERE / "ConList.xlsx")


if __name__ == "__main__":
    main()
