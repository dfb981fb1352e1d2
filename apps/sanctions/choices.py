from django.db import models


class AuthorityKind(models.TextChoices):
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental"
    NATIONAL = "national", "National"
    SUPRANATIONAL = "supranational", "Supranational"


class MeasureKind(models.TextChoices):
    ARMS_EMBARGO = "arms_embargo", "Arms embargo"
    WMD_MISSILE_BAN = "wmd_missile_ban", "WMD and missile ban"
    ASSET_FREEZE = "asset_freeze", "Asset freeze"
    TRAVEL_BAN = "travel_ban", "Travel ban"
    SECTORAL_BAN = "sectoral_ban", "Sectoral ban"
    TRADE_CAP = "trade_cap", "Trade cap"
    LUXURY_GOODS_BAN = "luxury_goods_ban", "Luxury goods ban"
    FINANCIAL_RESTRICTION = "financial_restriction", "Financial restriction"
    LABOUR_BAN = "labour_ban", "Labour ban"
    OTHER = "other", "Other"


class Direction(models.TextChoices):
    EXPORTS_FROM_TARGET = "exports_from_target", "Exports from the target"
    IMPORTS_TO_TARGET = "imports_to_target", "Imports to the target"
    BOTH = "both", "Both"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class TransferCategory(models.TextChoices):
    """What moves in a transfer. Measures list the categories they cover, so the choices
    live here, below the transfers app that also uses them."""

    MUNITIONS = "munitions", "Munitions"
    MISSILES = "missiles", "Missiles"
    SMALL_ARMS = "small_arms", "Small arms"
    HEAVY_WEAPONS = "heavy_weapons", "Heavy weapons"
    MILITARY_EQUIPMENT = "military_equipment", "Military equipment"
    MILITARY_TECHNOLOGY = "military_technology", "Military technology"
    DUAL_USE = "dual_use", "Dual-use goods"
    FUEL = "fuel", "Fuel"
    COMMODITIES = "commodities", "Commodities"
    LUXURY_GOODS = "luxury_goods", "Luxury goods"
    FINANCIAL = "financial", "Financial"
    PERSONNEL = "personnel", "Personnel"
    OTHER = "other", "Other"
