"""The Dagster UI as a user sees it, in a real browser.

A webserver is started on a free port over a fresh instance (the project's dagster.yaml,
SQLite in a temp folder) that holds real events of our real assets: materializations of
the orders tables from the Kafka topic to gold, passing checks, a failed
``reconciles_with_bronze`` check on ``silver/orders``, and ``bronze/payments`` last
materialized 3 hours ago, past its freshness policy's 2 h window. Dagster's freshness
daemon evaluates the policies once (its own iteration, over its own load of our code
location), so ``bronze/payments`` is recorded as failing its freshness policy. Headless
Chromium (the Debian package that scripts/setup.sh installs; Playwright never downloads
its own) opens the global lineage graph, the asset's lineage tab and its Checks tab and
the stale table's overview, waits for their content, and fails on any client error: a
console error, an uncaught exception, an HTTP error from the webserver or a GraphQL error.

Screenshots of every page are kept in ``test-artifacts/ui/`` at the repository root, or
in ``$LAKEHOUSE_TEST_ARTIFACTS/ui/``. Needs no stack: loading the code location only
reads the settings, and the webserver runs no sensors or schedules (that is the daemon).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    AssetKey,
    AssetMaterialization,
    DagsterInstance,
    MetadataValue,
)
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.freshness import FreshnessDaemon
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    Response,
    expect,
    sync_playwright,
)

from ecommerce_assets.cli.dev import group_members
from ecommerce_assets.lib.silver_checks import reconciliation_metadata
from ecommerce_assets.stack.process import free_ports
from streaming.silver.reconciliation import DayCount

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_ENV = "LAKEHOUSE_TEST_ARTIFACTS"
WEBSERVER = str(Path(sys.executable).parent / "dagster-webserver")
WORKSPACE = REPO_ROOT / "workspace.yaml"

#: The orders tables, one per layer, as the lineage graph must show them (left to right).
ORDERS_LINEAGE = (
    "kafka/shop_orders",
    "bronze/orders",
    "silver/orders",
    "staging/stg_orders",
    "gold/fct_orders",
)
LINEAGE_GROUPS = ("sources", "bronze", "silver", "staging", "gold")
FAILED_ASSET = AssetKey(["silver", "orders"])
FAILED_CHECK = "reconciles_with_bronze"
DAY = dt.date(2024, 3, 1)
#: The one day of the failed reconciliation: 12 bronze events neither in silver nor
#: quarantined.
DAY_COUNT = DayCount(
    table="silver.orders",
    day=DAY,
    bronze_rows=1_210,
    bronze_events=1_200,
    silver_rows=1_180,
    quarantined=8,
)
FAILED_DESCRIPTION = "1 of 1 days do not reconcile"
#: Checks recorded as passed, beside the failed one: (asset, check name).
PASSED_CHECKS = (
    ("bronze/orders", "reconciles_with_kafka"),
    ("silver/orders", "expectations"),
    ("gold/fct_orders", "order_total_adds_up"),
)
#: The table that stopped updating: its last materialization is older than the fail
#: window of its freshness policy (bronze: 2 h, lib/freshness.py and the settings).
STALE_ASSET = AssetKey(["bronze", "payments"])
STALE_AGE = dt.timedelta(hours=3)
STALE_ROWS = 412

#: Bounds for a busy 2-core machine: loading the code location takes ~15 s when idle.
LOCATION_TIMEOUT_S = 180
PAGE_TIMEOUT_MS = 60_000
STOP_GRACE_S = 20


def _key(path: str) -> AssetKey:
    return AssetKey.from_user_string(path)


def _record_events(instance: DagsterInstance) -> None:
    """What a bronze, silver and gold run of one day would have left in the instance."""
    partition = DAY.isoformat()
    materializations = (
        AssetMaterialization(
            _key("bronze/orders"),
            metadata={"rows_written": 1_210, "dead_letters_written": 3, "batches": 2},
        ),
        AssetMaterialization(
            FAILED_ASSET,
            partition=partition,
            metadata={
                "days": partition,
                "rows_written": DAY_COUNT.silver_rows,
                "duplicates_removed": DAY_COUNT.duplicates,
                "quarantined": DAY_COUNT.quarantined,
                "dagster/row_count": DAY_COUNT.silver_rows,
            },
        ),
        AssetMaterialization(_key("staging/stg_orders")),
        AssetMaterialization(
            _key("gold/fct_orders"), partition=partition, metadata={"dagster/row_count": 1_180}
        ),
    )
    for materialization in materializations:
        instance.report_runless_asset_event(materialization)
    for asset, check in PASSED_CHECKS:
        instance.report_runless_asset_event(
            AssetCheckEvaluation(asset_key=_key(asset), check_name=check, passed=True)
        )
    # Shaped as the silver job reports it (defs/silver/layer.py), from the same helper.
    metadata = reconciliation_metadata([DAY_COUNT])
    instance.report_runless_asset_event(
        AssetCheckEvaluation(
            asset_key=FAILED_ASSET,
            check_name=FAILED_CHECK,
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=FAILED_DESCRIPTION,
            metadata={k: MetadataValue.md(v) if k == "per_day" else v for k, v in metadata.items()},
        )
    )
    # The stale table's last run was STALE_AGE ago. report_runless_asset_event stamps
    # events with the current time; this is the same event, stored the same way (the
    # runless run), with the older timestamp.
    stale = AssetMaterialization(STALE_ASSET, metadata={"rows_written": STALE_ROWS, "batches": 1})
    instance.report_dagster_event(
        DagsterEvent(
            event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
            event_specific_data=StepMaterializationData(stale),
            job_name=RUNLESS_JOB_NAME,
        ),
        run_id=RUNLESS_RUN_ID,
        timestamp=(dt.datetime.now(dt.UTC) - STALE_AGE).timestamp(),
    )


@pytest.fixture(scope="module")
def dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's instance config (dagster.yaml) over SQLite files in a temp folder,
    holding the events of :func:`_record_events`."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        _record_events(instance)
    return home


def _server_env(dagster_home: Path, data_dir: Path) -> dict[str, str]:
    """The environment of the webserver and its code server: none of the caller's
    LAKEHOUSE_/DAGSTER_ settings, our instance and an empty data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "DAGSTER_"))}
    return env | {"DAGSTER_HOME": str(dagster_home), "LAKEHOUSE_DATA_DIR": str(data_dir)}


def _evaluate_freshness(dagster_home: Path, env: dict[str, str]) -> None:
    """One iteration of Dagster's freshness daemon (what ``dagster-daemon run`` repeats
    every 30 s), over workspace.yaml as the daemon loads it: a code server of our code
    location, started with ``env`` (it inherits this process's environment). It records a
    FreshnessStateChange for every asset whose state changed: here the first state of
    each, FAIL for the stale table."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name not in env:
                patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        with (
            DagsterInstance.from_config(str(dagster_home)) as instance,
            WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(WORKSPACE)])) as ctx,
        ):
            error = ctx.create_request_context().get_code_location_error("ecommerce_assets")
            assert error is None, f"the freshness daemon could not load our code location:\n{error}"
            for _ in FreshnessDaemon().run_iteration(ctx):
                pass


def _graphql(base_url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base_url}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body: dict[str, Any] = json.load(response)
    assert "errors" not in body, body["errors"]
    return body["data"]


def _location_state(base_url: str) -> tuple[str, str | None]:
    """(load status, load error or None) of our code location, as the UI sees it."""
    data = _graphql(
        base_url,
        """{ workspaceOrError { ... on Workspace { locationEntries {
               name loadStatus
               locationOrLoadError { __typename ... on PythonError {
                   message errorChain { error { message } }
               } }
           } } } }""",
    )
    entries = {e["name"]: e for e in data["workspaceOrError"]["locationEntries"]}
    entry = entries["ecommerce_assets"]
    # LOADED is also the status of a location whose import failed: the error is beside it.
    error = entry["locationOrLoadError"] or {}
    if "message" not in error:
        return entry["loadStatus"], None
    # The first message only says that loading failed; its causes say why.
    causes = [link["error"]["message"] for link in error["errorChain"]]
    return entry["loadStatus"], "".join([error["message"], *causes])


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_loaded(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + LOCATION_TIMEOUT_S
    state: tuple[str, str | None] = ("NOT ANSWERING", None)
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            f"dagster-webserver exited with {process.returncode}:\n{_tail(log)}"
        )
        try:
            state = _location_state(base_url)
        except (OSError, KeyError):  # not listening yet, or the workspace not read yet
            pass
        else:
            status, error = state
            assert error is None, f"the code location ecommerce_assets failed to load:\n{error}"
            if status == "LOADED":
                return
        time.sleep(1)
    raise AssertionError(
        f"the code location was not loaded within {LOCATION_TIMEOUT_S} s (last state: "
        f"{state[0]}); dagster-webserver's log ends with:\n{_tail(log)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the webserver's group (it and its code server): Dagster's clean stop,
    the one Ctrl-C gives; what still runs after the grace period is killed."""
    pgid = process.pid  # the leader of its own session, so of its group
    if process.poll() is None:
        with suppress(ProcessLookupError):  # it may have exited since
            os.killpg(pgid, signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_S
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in group_members(pgid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def webserver(dagster_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of ``dagster-webserver -w workspace.yaml`` over ``dagster_home``, once our
    code location is loaded and the freshness daemon has evaluated it once."""
    data_dir = tmp_path_factory.mktemp("lakehouse")
    env = _server_env(dagster_home, data_dir)
    (port,) = free_ports(1)
    log_path = data_dir / "webserver.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [WEBSERVER, "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one group with its code server, stopped together
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            # Both load the code location, each in its own code server: at the same time.
            _evaluate_freshness(dagster_home, env)
            _wait_until_loaded(base_url, process, log_path)
            # A returning user has dismissed the "Join the Dagster community" dialog, which
            # otherwise opens over every page on localhost and hides it in screenshots.
            assert _graphql(base_url, "mutation { setNuxSeen }") == {"setNuxSeen": True}
            yield base_url
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "chromium is not installed: run scripts/setup.sh"
    with sync_playwright() as playwright:
        # Playwright adds --no-sandbox itself (its chromium_sandbox option is off).
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


def _artifacts_dir() -> Path:
    root = Path(os.environ.get(ARTIFACTS_ENV) or REPO_ROOT / "test-artifacts")
    folder = root / "ui"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class ClientErrors:
    """Every error the app shows in the browser's console or devtools, for one page."""

    origin: str
    errors: list[str] = field(default_factory=list)
    graphql: list[Response] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({message.location})")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"uncaught exception: {error}")

    def on_response(self, response: Response) -> None:
        if not response.url.startswith(self.origin):
            return
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")
        elif urllib.parse.urlsplit(response.url).path == "/graphql":
            self.graphql.append(response)  # bodies are read later, not in the event handler

    def all(self) -> list[str]:
        found = list(self.errors)
        for response in self.graphql:
            try:
                body = response.json()
            except Exception:  # a poll cut short by the test's navigation has no body
                continue
            if body.get("errors"):
                found.append(f"GraphQL errors from {response.url}: {body['errors']}")
        return found


@contextmanager
def opened(browser: Browser, base_url: str, path: str, name: str) -> Iterator[Page]:
    """``path`` in a fresh page; afterwards a full-page screenshot ``<name>.png`` and no
    client errors. A page whose content never came is kept as ``<name>-failed.png``."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors = ClientErrors(origin=base_url)
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    page.on("response", errors.on_response)
    # Playwright's defaults (30 s to act, 5 s to expect) are short for a busy 2-core machine.
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    screenshot = _artifacts_dir() / f"{name}.png"
    try:
        page.goto(base_url + path)
        yield page
        # What the asserted elements' queries left out (e.g. status colours) is loaded
        # once the page stops fetching; polling is slower than Playwright's 500 ms idle.
        page.wait_for_load_state("networkidle")
        page.screenshot(path=screenshot, full_page=True)
        print(f"screenshot: {screenshot}")
        found = errors.all()
        assert not found, f"client errors on {path}:\n" + "\n".join(found)
    except BaseException:
        failed = screenshot.with_name(f"{name}-failed.png")
        with suppress(Error):  # Playwright's: a crashed page; the original error tells more
            page.screenshot(path=failed, full_page=True)
            print(f"screenshot of the failure: {failed}")
        raise
    finally:
        page.close()


def _graph_path() -> str:
    """The global lineage graph, as the UI's own links build it: the selection after
    ``~`` in the path, its groups expanded (``expanded=``, ids as the UI names them)."""
    selection = " or ".join(f'key:"{key}"' for key in ORDERS_LINEAGE)
    expanded = ",".join(f"global@global:{group}" for group in LINEAGE_GROUPS)
    return (
        f"/asset-groups~{urllib.parse.quote(selection, safe='')}/"
        f"?{urllib.parse.urlencode({'expanded': expanded})}"
    )


def _graph(page: Page) -> Locator:
    """The drawn graph: nodes are HTML in the SVG's foreignObjects, edges are paths."""
    return page.locator("svg", has=page.locator("foreignObject"))


def test_code_location_has_the_recorded_assets_and_checks(webserver: str) -> None:
    """The events recorded are for definitions the UI knows (a rename fails here, plainly)."""
    data = _graphql(
        webserver,
        """query ($keys: [AssetKeyInput!]) { assetNodes(assetKeys: $keys) {
               assetKey { path }
               assetChecksOrError { ... on AssetChecks { checks { name } } }
           } }""",
        {"keys": [{"path": _key(k).path} for k in ORDERS_LINEAGE[1:]]},
    )
    checks = {
        "/".join(node["assetKey"]["path"]): {
            c["name"] for c in node["assetChecksOrError"]["checks"]
        }
        for node in data["assetNodes"]
    }
    assert set(checks) == set(ORDERS_LINEAGE[1:])
    for asset, check in [*PASSED_CHECKS, (FAILED_ASSET.to_user_string(), FAILED_CHECK)]:
        assert check in checks[asset], f"{asset} has no check {check}: {sorted(checks[asset])}"


def test_lineage_graph_shows_the_orders_tables_layer_by_layer(
    webserver: str, browser: Browser, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled(), opened(browser, webserver, _graph_path(), "lineage-graph") as page:
        graph = _graph(page)
        for group in LINEAGE_GROUPS:
            expect(graph.get_by_text(group, exact=True)).to_be_visible()
        for name in ("shop_orders", "stg_orders", "fct_orders"):
            expect(graph.get_by_text(name, exact=True)).to_be_visible()
        expect(graph.get_by_text("orders", exact=True)).to_have_count(2)  # bronze, silver
        # One arrow per hop: topic -> bronze -> silver -> staging -> gold.
        expect(graph.locator("path[marker-end]")).to_have_count(len(ORDERS_LINEAGE) - 1)


def test_asset_lineage_tab_shows_neighbours_and_their_state(
    webserver: str, browser: Browser, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"/assets/{FAILED_ASSET.to_user_string()}?view=lineage"
    with capsys.disabled(), opened(browser, webserver, path, "silver-orders-lineage") as page:
        graph = _graph(page)
        for name in ("order_items", "stg_orders"):
            expect(graph.get_by_text(name, exact=True)).to_be_visible()
        expect(graph.get_by_text("orders", exact=True)).to_have_count(2)  # bronze, silver
        # bronze -> silver/orders -> order_items, stg_orders.
        expect(graph.locator("path[marker-end]")).to_have_count(3)
        expect(graph.get_by_text("Materialized", exact=True)).to_have_count(2)  # bronze, stg
        # Each node sums up its checks; silver/orders' failed one is a red cross.
        checks = graph.locator(f'a[href="/assets/{FAILED_ASSET.to_user_string()}?view=checks"]')
        expect(checks).to_have_text("1 / 3 Passed")
        expect(checks.get_by_role("img", name="close")).to_be_visible()


def test_checks_tab_shows_the_failed_check(
    webserver: str, browser: Browser, capsys: pytest.CaptureFixture[str]
) -> None:
    # The URL the UI's own links to a check build (assetCheckDetailPath).
    path = f"/assets/{FAILED_ASSET.to_user_string()}?view=checks&checkDetail={FAILED_CHECK}"
    with capsys.disabled(), opened(browser, webserver, path, "silver-orders-failed-check") as page:
        # The failed check's details: the description and metadata of its evaluation.
        expect(page.get_by_text(FAILED_DESCRIPTION, exact=True)).to_be_visible()
        expect(page.get_by_role("row", name="days_failing 1")).to_be_visible()
        expect(page.get_by_role("row", name=f"silver_rows {DAY_COUNT.silver_rows}")).to_be_visible()
        # "Failed" in the list of checks (beside its name) and as the evaluation's result.
        failed = page.get_by_text("Failed", exact=True)
        expect(failed).to_have_count(2)
        for status in failed.all():
            expect(status).to_be_visible()
        expect(page.get_by_text("Succeeded", exact=True)).to_be_visible()  # expectations


def test_stale_table_shows_as_failing_its_freshness_policy(
    dagster_home: Path, webserver: str, browser: Browser, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table that stopped updating: the daemon's evaluation recorded it as failing, and
    its overview shows the policy failed, with the last materialization and the windows."""
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        record = instance.get_freshness_state_records([STALE_ASSET]).get(STALE_ASSET)
    assert record is not None, f"the freshness daemon recorded no state of {STALE_ASSET}"
    assert record.freshness_state == FreshnessState.FAIL, record
    path = f"/assets/{STALE_ASSET.to_user_string()}?view=overview"
    with capsys.disabled(), opened(browser, webserver, path, "bronze-payments-stale") as page:
        # In the Status section (beside the latest materialization and check results) and
        # in the Freshness policy section of the sidebar: a red "Failed" tag in both.
        expect(page.get_by_role("button", name="freshness Freshness policy")).to_be_visible()
        failed = page.get_by_text("Failed", exact=True)
        expect(failed).to_have_count(2)
        for status in failed.all():
            expect(status).to_be_visible()
            expect(status.locator("xpath=..").get_by_role("img", name="cancel")).to_be_visible()
        # Why: the last run and the policy's windows (2 h to fail, 1 h to warn).
        expect(page.get_by_text("Last materialized 3 hours ago")).to_be_visible()
        for window in ("Fails if more than 2 hours", "Warns if more than an hour"):
            expect(page.get_by_text(f"{window} since last materialization")).to_be_visible()
        # The metadata of that last materialization (rows: key, its time, value).
        written = page.get_by_role("row").filter(has_text="rows_written")
        expect(written.get_by_role("cell").last).to_have_text(str(STALE_ROWS))
