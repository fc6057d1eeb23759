"""Smoke test of a Python client generated from the served OpenAPI document by
openapi-python-client (scripts/client-test.sh): every call goes through the generated,
typed functions and models, and every value is checked against the raw JSON."""

import sys
import httpx

from ring_client import AuthenticatedClient, Client  # noqa: F401  (both must exist)
from ring_client.api.agencies import get_agency
from ring_client.api.partnerships import list_partnerships
from ring_client.api.statistics import get_stats
from ring_client.models import (
    AgencyDetail,
    ErrorCode,
    PartnershipList,
    Problem,
    Stats,
)

base = sys.argv[1]
client = Client(base_url=base, raise_on_unexpected_status=True)
raw = httpx.Client(base_url=base)

# Partnerships near a point, nearest first, with their distances.
page = list_partnerships.sync(client=client, near="43.0,-88.0", limit=3)
assert isinstance(page, PartnershipList), page
assert len(page.data) == 3, len(page.data)
expect = raw.get("/partnerships", params={"near": "43.0,-88.0", "limit": 3}).json()
assert [p.id for p in page.data] == [p["id"] for p in expect["data"]]
assert page.meta.dataset_version == expect["meta"]["dataset_version"]
first = page.data[0]
assert first.agency.id == expect["data"][0]["agency"]["id"]
assert first.status.value == expect["data"][0]["status"]

# Follow the cursor to the next page: no record twice, the same order as the raw API.
assert page.next_, "a next cursor"
page2 = list_partnerships.sync(client=client, near="43.0,-88.0", limit=3, cursor=page.next_)
assert isinstance(page2, PartnershipList), page2
expect2 = raw.get(
    "/partnerships", params={"near": "43.0,-88.0", "limit": 3, "cursor": page.next_}
).json()
assert [p.id for p in page2.data] == [p["id"] for p in expect2["data"]]
assert not {p.id for p in page.data} & {p.id for p in page2.data}

# One agency, with its partnerships.
agency = get_agency.sync(first.agency.id, client=client)
assert isinstance(agency, AgencyDetail), agency
expect_a = raw.get(f"/agencies/{first.agency.id}").json()
assert agency.name == expect_a["name"]
assert getattr(agency.state, "value", agency.state) == expect_a["state"]
assert len(agency.partnerships) == len(expect_a["partnerships"])

# Statistics.
stats = get_stats.sync(client=client)
assert isinstance(stats, Stats), stats
expect_s = raw.get("/stats").json()
assert stats.total == expect_s["total"]
assert stats.by_state.additional_properties == expect_s["by_state"]
assert len(stats.timeline) == len(expect_s["timeline"])

# A 400 and a 404 come back as typed problems.
bad = list_partnerships.sync(client=client, started_after="2019-13-45")
assert isinstance(bad, Problem), bad
assert bad.status == 400 and bad.code == ErrorCode.INVALID_PARAMETER, bad
assert bad.parameter == "started_after", bad
missing = get_agency.sync("no-such-agency", client=client)
assert isinstance(missing, Problem), missing
assert missing.status == 404 and missing.code == ErrorCode.NOT_FOUND, missing

print(
    f"generated client: {len(page.data) + len(page2.data)} partnerships over two pages, "
    f"agency {agency.id}, stats total {stats.total}, problems {bad.code.value} and {missing.code.value}"
)
