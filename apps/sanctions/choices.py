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


class AuthorityBinds(models.TextChoices):
    """Whom an authority's measures bind (docs/data-model.md, "Jurisdiction")."""

    ALL_STATES = "all_states", "All states (a UN Security Council decision)"
    OWN_JURISDICTION = "own_jurisdiction", "Persons under its own jurisdiction"


class AppliesTo(models.TextChoices):
    """Who on the target's side a measure applies to (docs/data-model.md, "Scope")."""

    ALL = "all", "Everyone on the target's side"
    NON_STATE_ACTORS = "non_state_actors", "Non-state actors only (not the government)"
    LISTED_ONLY = "listed_only", "Only individuals and entities designated under the regime"


class GovernmentExemption(models.TextChoices):
    """Whether supplies to (or from) the target's government are allowed, and on what condition."""

    NONE = "none", "None"
    NOTIFICATION = "notification", "Allowed once notified to the committee"
    APPROVAL = "approval", "Allowed once approved by the committee"


class ObligedParty(models.TextChoices):
    """A party of a transfer whose state a measure obliges."""

    SUPPLIER = "supplier", "Supplier"
    RECIPIENT = "recipient", "Recipient"


class CapPeriod(models.TextChoices):
    """The period over which a trade cap sums all supplies."""

    CALENDAR_YEAR = "calendar_year", "Calendar year"
    ROLLING_12_MONTHS = "rolling_12_months", "Rolling 12 months"
    WHOLE_PERIOD = "whole_period", "The measure's whole period"


class TransferCategory(models.TextChoices):
    """What moves in a transfer: a two-level tree (docs/data-model.md, "The category tree"). A
    transfer carries the most specific category its sources support; a parent means "of
    this family, not known which". Measures list the categories they cover, so the choices
    live here, below the transfers app that also uses them."""

    ARMS = "arms", "Arms (not known which)"
    MUNITIONS = "munitions", "Munitions"
    MISSILES = "missiles", "Missiles"
    SMALL_ARMS = "small_arms", "Small arms"
    HEAVY_WEAPONS = "heavy_weapons", "Heavy weapons"
    MILITARY_EQUIPMENT = "military_equipment", "Military equipment"
    FUEL = "fuel", "Fuel (not known which)"
    CRUDE_OIL = "crude_oil", "Crude oil"
    REFINED_PETROLEUM = "refined_petroleum", "Refined petroleum"
    CONDENSATES = "condensates", "Condensates"
    COMMODITIES = "commodities", "Commodities (not known which)"
    COAL = "coal", "Coal"
    IRON_ORE = "iron_ore", "Iron ore"
    METALS = "metals", "Metals"
    SEAFOOD = "seafood", "Seafood"
    TEXTILES = "textiles", "Textiles"
    MACHINERY = "machinery", "Machinery"
    PERSONNEL = "personnel", "Personnel (not known which)"
    TROOPS = "troops", "Troops"
    WORKERS = "workers", "Workers"
    TECHNICIANS = "technicians", "Technicians"
    MILITARY_TECHNOLOGY = "military_technology", "Military technology"
    DUAL_USE = "dual_use", "Dual-use goods"
    LUXURY_GOODS = "luxury_goods", "Luxury goods"
    FINANCIAL = "financial", "Financial"
    OTHER = "other", "Other"


# The parents of the tree and their leaves; every other category is a top-level leaf.
CATEGORY_TREE = {
    TransferCategory.ARMS: (
        TransferCategory.MUNITIONS,
        TransferCategory.MISSILES,
        TransferCategory.SMALL_ARMS,
        TransferCategory.HEAVY_WEAPONS,
        TransferCategory.MILITARY_EQUIPMENT,
    ),
    TransferCategory.FUEL: (
        TransferCategory.CRUDE_OIL,
        TransferCategory.REFINED_PETROLEUM,
        TransferCategory.CONDENSATES,
    ),
    TransferCategory.COMMODITIES: (
        TransferCategory.COAL,
        TransferCategory.IRON_ORE,
        TransferCategory.METALS,
        TransferCategory.SEAFOOD,
        TransferCategory.TEXTILES,
        TransferCategory.MACHINERY,
    ),
    TransferCategory.PERSONNEL: (
        TransferCategory.TROOPS,
        TransferCategory.WORKERS,
        TransferCategory.TECHNICIANS,
    ),
}
PARENT_OF = {leaf: parent for parent, leaves in CATEGORY_TREE.items() for leaf in leaves}


def category_and_ancestors(category):
    """The category and its parent, if it has one: what a measure may cover to apply to it."""
    parent = PARENT_OF.get(category)
    return (category, parent) if parent else (category,)


def category_and_descendants(category):
    """The category and its leaves: the transfers a measure covering it applies to."""
    return (category, *CATEGORY_TREE.get(category, ()))


BREACH = "breach"
POSSIBLE_BREACH = "possible_breach"


def category_match(covers, category):
    """How a measure covering ``covers`` meets a transfer of ``category``: ``BREACH`` when it
    covers the category or its parent, ``POSSIBLE_BREACH`` when the transfer is less specific
    than the measure (a ``fuel`` transfer, a measure on ``crude_oil``), else None."""
    covered = set(covers or ())
    if covered & set(category_and_ancestors(category)):
        return BREACH
    if covered & set(CATEGORY_TREE.get(category, ())):
        return POSSIBLE_BREACH
    return None
