"""The domain questions: a transfer's contraventions, a country's profile, the graph."""

import datetime

import pytest

from apps.transfers.models import Transfer
from tests.factories import (
    AuthorityFactory,
    ClaimFactory,
    MeasureFactory,
    ProvisionFactory,
    RegimeFactory,
    RelationshipFactory,
    ResolutionFactory,
    TransferFactory,
    VoteFactory,
    country,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def un_1718(db):
    """UN-1718 as in the demo data: the arms export ban resting on 1718 8(b) and 1874 9,
    both adopted with Russia (and China) voting yes; a vetoed 2022 draft."""
    un = AuthorityFactory(code="UN", name="United Nations Security Council", kind="intergovernmental")
    r1718 = ResolutionFactory(symbol="S/RES/1718 (2006)", number=1718, voted_on=datetime.date(2006, 10, 14))
    r1874 = ResolutionFactory(symbol="S/RES/1874 (2009)", number=1874, voted_on=datetime.date(2009, 6, 12))
    draft = ResolutionFactory(symbol="S/2022/431", number=None, outcome="vetoed", voted_on=datetime.date(2022, 5, 26))
    for resolution in (r1718, r1874):
        for iso2 in ("RU", "CN", "US"):
            VoteFactory(resolution=resolution, country=country(iso2), position="yes")
    VoteFactory(resolution=draft, country=country("RU"), position="no")
    VoteFactory(resolution=draft, country=country("CN"), position="no")
    regime = RegimeFactory(code="UN-1718", authority=un, target_country=country("KP"))
    regime.resolutions.add(r1718, r1874)
    ban = MeasureFactory(
        regime=regime,
        code="arms-export-ban",
        kind="arms_embargo",
        direction="exports_from_target",
        covers=["munitions", "missiles", "heavy_weapons"],
    )
    ban.provisions.add(
        ProvisionFactory(resolution=r1718, paragraph="8(b)"), ProvisionFactory(resolution=r1874, paragraph="9")
    )
    missiles = TransferFactory(
        reference="kp-ru-missiles",
        category="missiles",
        started_on=datetime.date(2023, 11, 1),
        ended_on=datetime.date(2024, 1, 31),
        review_status="published",
    )
    return {"regime": regime, "transfer": missiles, "r1718": r1718, "r1874": r1874, "draft": draft}


def test_contraventions_of_the_missiles_transfer_name_un_1718_and_russias_yes_votes(un_1718, anonymous):
    response = anonymous.get("/api/v1/transfers/kp-ru-missiles/contraventions/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["supplier"], body["recipient"], body["category"]) == ("KP", "RU", "missiles")
    [contravention] = body["contraventions"]
    assert contravention["regime"]["code"] == "UN-1718"
    assert contravention["regime"]["authority"] == "UN"
    assert contravention["measure"]["code"] == "arms-export-ban"
    assert contravention["targets"] == "supplier"
    assert [(p["resolution"], p["paragraph"]) for p in contravention["provisions"]] == [
        ("S/RES/1718 (2006)", "8(b)"),
        ("S/RES/1874 (2009)", "9"),
    ]
    votes = {r["symbol"]: (r["supplier_position"], r["recipient_position"]) for r in contravention["resolutions"]}
    assert votes == {"S/RES/1718 (2006)": (None, "yes"), "S/RES/1874 (2009)": (None, "yes")}


def test_contraventions_are_empty_when_no_measure_was_in_force(un_1718, anonymous):
    TransferFactory(
        reference="before-1718",
        category="missiles",
        started_on=datetime.date(2001, 1, 1),
        ended_on=datetime.date(2001, 2, 1),
        review_status="published",
    )
    un_1718["regime"].measures.update(started_on=datetime.date(2006, 10, 14))
    un_1718["regime"].started_on = datetime.date(2006, 10, 14)
    un_1718["regime"].save()
    response = anonymous.get("/api/v1/transfers/before-1718/contraventions/")
    assert response.status_code == 200
    assert response.json()["contraventions"] == []


def test_contraventions_of_a_draft_transfer_are_hidden_from_anonymous_clients(un_1718, anonymous, editor_client):
    Transfer.objects.filter(reference="kp-ru-missiles").update(review_status="draft")
    assert anonymous.get("/api/v1/transfers/kp-ru-missiles/contraventions/").status_code == 404
    assert editor_client.get("/api/v1/transfers/kp-ru-missiles/contraventions/").status_code == 200


def test_demo_missiles_transfer_contravenes_un_1718_which_russia_voted_for(demo_data, reviewer_client):
    transfer = Transfer.objects.get(supplier__iso2="KP", recipient__iso2="RU", category="missiles")
    response = reviewer_client.get(f"/api/v1/transfers/{transfer.reference}/contraventions/")
    assert response.status_code == 200, response.content
    [ban] = [
        c
        for c in response.json()["contraventions"]
        if c["regime"]["code"] == "UN-1718" and c["measure"]["code"] == "arms-export-ban"
    ]
    assert ban["resolutions"]
    assert {r["recipient_position"] for r in ban["resolutions"]} == {"yes"}


def test_country_profile_of_russia(un_1718, anonymous):
    RelationshipFactory(reference="ru-kp-treaty", review_status="published")
    RelationshipFactory(
        reference="draft-relationship", review_status="draft", country_a=country("RU"), country_b=country("CN")
    )
    TransferFactory(
        reference="ru-kp-fuel",
        supplier=country("RU"),
        recipient=country("KP"),
        category="fuel",
        review_status="published",
    )
    response = anonymous.get("/api/v1/countries/ru/profile/")
    assert response.status_code == 200, response.content
    profile = response.json()
    assert profile["country"] == "RU"
    assert profile["vetoes"] == ["S/2022/431"]
    assert {v["resolution"]: v["position"] for v in profile["votes"]} == {
        "S/RES/1718 (2006)": "yes",
        "S/RES/1874 (2009)": "yes",
        "S/2022/431": "no",
    }
    assert profile["transfers_in"] == {"total": 1, "by_category": {"missiles": 1}, "by_status": {"alleged": 1}}
    assert profile["transfers_out"]["by_category"] == {"fuel": 1}
    assert [r["reference"] for r in profile["relationships"]] == ["ru-kp-treaty"]
    assert profile["relationships"][0]["with"] == "KP"
    contravened = {c["resolution"]: c for c in profile["contravened_resolutions_voted_for"]}
    assert set(contravened) == {"S/RES/1718 (2006)", "S/RES/1874 (2009)"}
    assert contravened["S/RES/1718 (2006)"]["transfers"] == ["kp-ru-missiles"]
    assert contravened["S/RES/1718 (2006)"]["transfers_count"] == 1
    assert contravened["S/RES/1718 (2006)"]["measures"] == [["UN-1718", "arms-export-ban"]]


def test_country_profile_leaves_draft_transfers_out_for_anonymous_clients_and_counts_them_for_editors(
    un_1718, anonymous, editor_client
):
    # A second missiles delivery to Russia, still a draft, with a published claim about it.
    draft = TransferFactory(
        reference="kp-ru-missiles-draft",
        category="missiles",
        status="corroborated",
        started_on=datetime.date(2024, 2, 1),
        ended_on=datetime.date(2024, 2, 29),
        review_status="draft",
    )
    ClaimFactory(reference="claim-on-draft", transfer=draft, review_status="published")
    public = anonymous.get("/api/v1/countries/RU/profile/").json()
    assert public["transfers_in"] == {"total": 1, "by_category": {"missiles": 1}, "by_status": {"alleged": 1}}
    contravened = {c["resolution"]: c["transfers"] for c in public["contravened_resolutions_voted_for"]}
    assert contravened == {"S/RES/1718 (2006)": ["kp-ru-missiles"], "S/RES/1874 (2009)": ["kp-ru-missiles"]}
    assert anonymous.get("/api/v1/countries/KP/profile/").json()["transfers_out"]["total"] == 1

    editors = editor_client.get("/api/v1/countries/RU/profile/").json()
    assert editors["transfers_in"] == {
        "total": 2,
        "by_category": {"missiles": 2},
        "by_status": {"alleged": 1, "corroborated": 1},
    }
    contravened = {c["resolution"]: sorted(c["transfers"]) for c in editors["contravened_resolutions_voted_for"]}
    both = ["kp-ru-missiles", "kp-ru-missiles-draft"]
    assert contravened == {"S/RES/1718 (2006)": both, "S/RES/1874 (2009)": both}
    assert editor_client.get("/api/v1/countries/KP/profile/").json()["transfers_out"]["total"] == 2


def test_country_profile_of_the_target(un_1718, anonymous):
    profile = anonymous.get("/api/v1/countries/KP/profile/").json()
    assert [r["code"] for r in profile["regimes_targeting"]] == ["UN-1718"]
    assert profile["transfers_out"]["total"] == 1
    # The DPRK did not vote for the resolutions its own transfer breaks.
    assert profile["contravened_resolutions_voted_for"] == []


def test_graph_has_countries_as_nodes_and_transfers_sanctions_relationships_as_edges(un_1718, anonymous):
    RelationshipFactory(reference="ru-kp-treaty", review_status="published")
    TransferFactory(reference="draft-transfer", review_status="draft", category="fuel")
    graph = anonymous.get("/api/v1/graph/").json()
    node_ids = {n["id"] for n in graph["nodes"]}
    assert {"KP", "RU", "authority:UN"} <= node_ids
    edges = {(e["kind"], e["source"], e["target"], e["reference"] or e["category"]) for e in graph["edges"]}
    assert ("transfer", "KP", "RU", "missiles") in edges
    assert ("sanctions", "authority:UN", "KP", "UN-1718") in edges
    assert ("relationship", "RU", "KP", "ru-kp-treaty") in edges
    assert not any(e[0] == "transfer" and e[3] == "fuel" for e in edges)  # the draft


def test_graph_has_one_edge_per_flow_with_its_count_period_and_list(un_1718, anonymous, editor_client):
    TransferFactory(
        reference="kp-ru-missiles-2",
        category="missiles",
        started_on=datetime.date(2024, 3, 1),
        ended_on=None,
        review_status="published",
    )
    TransferFactory(
        reference="kp-ru-missiles-confirmed", category="missiles", status="confirmed", review_status="published"
    )
    TransferFactory(reference="kp-ru-missiles-draft", category="missiles", review_status="draft")
    [edge] = [
        e
        for e in anonymous.get("/api/v1/graph/").json()["edges"]
        if e["kind"] == "transfer" and e["status"] == "alleged"
    ]
    assert (edge["source"], edge["target"], edge["category"], edge["count"]) == ("KP", "RU", "missiles", 2)
    assert (edge["started_on"], edge["ended_on"], edge["ongoing"]) == ("2023-11-01", "2024-01-31", True)
    assert (
        edge["list"] == "http://testserver/api/v1/transfers/?supplier=KP&recipient=RU&category=missiles&status=alleged"
    )
    listed = anonymous.get(edge["list"]).json()
    assert listed["count"] == edge["count"]
    assert {r["reference"] for r in listed["results"]} == {"kp-ru-missiles", "kp-ru-missiles-2"}
    # Editors count the draft too.
    [edge] = [
        e
        for e in editor_client.get("/api/v1/graph/").json()["edges"]
        if e["kind"] == "transfer" and e["status"] == "alleged"
    ]
    assert edge["count"] == 3
    # The period asked is carried into the list.
    [edge] = [
        e
        for e in anonymous.get("/api/v1/graph/", {"from": "2024-02-01"}).json()["edges"]
        if e["kind"] == "transfer" and e["status"] == "alleged"
    ]
    assert edge["count"] == 1 and edge["list"].endswith("&status=alleged&active_after=2024-02-01")
    assert [r["reference"] for r in anonymous.get(edge["list"]).json()["results"]] == ["kp-ru-missiles-2"]


def test_graph_filters_by_period_and_category(un_1718, anonymous):
    transfers = lambda params: {  # noqa: E731
        (e["source"], e["target"], e["category"], e["count"])
        for e in anonymous.get("/api/v1/graph/", params).json()["edges"]
        if e["kind"] == "transfer"
    }
    assert transfers({"from": "2023-12-01", "to": "2023-12-31"}) == {("KP", "RU", "missiles", 1)}
    assert transfers({"from": "2024-03-01"}) == set()
    assert transfers({"category": ["fuel"]}) == set()
    assert transfers({"category": ["fuel", "missiles"]}) == {("KP", "RU", "missiles", 1)}
    assert anonymous.get("/api/v1/graph/", {"from": "2024-01-01", "to": "2023-01-01"}).status_code == 400


def test_the_demo_profiles_name_the_resolutions_measures_and_transfers_they_did_before(demo_data, anonymous):
    """The demo data's answers, each checked by hand against the paragraphs the measures rest
    on: Russia voted yes on every one of these resolutions."""
    russia = {
        c["resolution"]: (sorted(c["transfers"]), c["transfers_count"], c["measures"], c["exceeded_caps"])
        for c in anonymous.get("/api/v1/countries/RU/profile/").json()["contravened_resolutions_voted_for"]
    }
    arms = [["UN-1718", "arms-export-ban"], ["UN-1718", "arms-import-ban"], ["UN-1718", "arms-services-ban"]]
    cap = {
        "measure": ["UN-1718", "refined-petroleum-cap"],
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "total_low": "1015279.000",
        "quantity": "500000.000",
        "unit": "barrels",
    }
    assert russia == {
        "S/RES/1718 (2006)": (
            [
                "kp-ru-artillery-munitions-2023",
                "kp-ru-ballistic-missiles-2023",
                "kp-ru-troops-2024",
                "ru-kp-aurus-limousine-2024",
                "ru-kp-military-technology-2023",
                "ru-kp-pantsir-2024",
                "ru-kp-tanks-aircraft-2024",
            ],
            7,
            [*arms, ["UN-1718", "luxury-goods-ban"], ["UN-1718", "wmd-missile-ban"]],
            [],
        ),
        "S/RES/1874 (2009)": (
            [
                "kp-ru-artillery-munitions-2023",
                "kp-ru-ballistic-missiles-2023",
                "kp-ru-troops-2024",
                "ru-kp-pantsir-2024",
                "ru-kp-tanks-aircraft-2024",
            ],
            5,
            arms,
            [],
        ),
        "S/RES/2094 (2013)": (["ru-kp-aurus-limousine-2024"], 1, [["UN-1718", "luxury-goods-ban"]], []),
        "S/RES/2270 (2016)": (
            ["kp-ru-troops-2024", "ru-kp-pantsir-2024", "ru-kp-tanks-aircraft-2024"],
            3,
            arms[1:],
            [],
        ),
        "S/RES/2397 (2017)": (
            [
                "ru-kp-aurus-limousine-2024",
                "ru-kp-refined-petroleum-2024",
                "ru-kp-refined-petroleum-2024-01-reported",
                "ru-kp-refined-petroleum-2024-03",
            ],
            4,
            [["UN-1718", "machinery-vehicles-metals-ban"], ["UN-1718", "refined-petroleum-cap"]],
            [cap],
        ),
    }
    assert anonymous.get("/api/v1/countries/KP/profile/").json()["contravened_resolutions_voted_for"] == []
