"""The web app end to end in Chromium, against the gateway, the five services and both
provider sandboxes: sign up → connect → load → dashboard → order plan → demand analysis →
create purchase orders → approve → send → sent history, once with Katana and once with
Xero. Every screen is screenshotted (``test-output/web/<test>/``) and checked with axe-core
(no serious or critical violations)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from web_support import ScreenRecorder, WebStack, chromium, output_dir, web_stack

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(600)]
expect.set_options(timeout=15_000)
PASSWORD = "correct horse battery"


async def _sign_up(page: Page, stack: WebStack, company: str, currency: str) -> None:
    await page.goto(stack.url)
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    await page.get_by_label("Company name").fill(company)
    await page.get_by_label("Your name").fill("Olive Owner")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password (10 characters or more)").fill(PASSWORD)
    await page.get_by_label("Currency").select_option(currency)
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_url(re.compile(r"/login|/oauth/authorize"))
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/data$"))
    await expect(page.get_by_role("heading", name="Load data")).to_be_visible()


async def _load(page: Page, rec: ScreenRecorder) -> None:
    """Start a load on the one connection and wait until it is done."""
    card = page.locator("article.connection")
    await card.get_by_role("button", name="Load data").click()
    await expect(card.get_by_role("progressbar").first).to_be_visible()
    await rec.screen("load-progress")
    await expect(card.locator('.job [data-status="succeeded"]')).to_be_visible(timeout=90_000)
    await rec.screen("load-done")


async def _wait_for_plan(page: Page, stack: WebStack) -> None:
    """Reopen the order plan until it has rows to buy that need an order (forecast → plan)."""
    deadline = time.monotonic() + 120
    while True:
        await page.goto(f"{stack.url}/plan")
        await page.get_by_label("Action").select_option("buy")
        await page.get_by_label("Needs an order").check()
        try:
            await expect(page.locator("table.plan tbody tr").first).to_be_visible(timeout=3_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await page.wait_for_timeout(1_000)


async def _open_first_analysis(page: Page, stack: WebStack) -> None:
    """Open the first listed row's demand analysis and expect its forecast explanation.
    Right after a load the settings → forecast → re-plan loop can still replace the plan
    and its forecasts between listing and opening a row ("No forecast for this SKU yet"),
    so the filtered plan is reopened and the first row tried again until the deadline."""
    deadline = time.monotonic() + 90
    while True:
        first = page.locator("table.plan tbody tr").first
        await first.get_by_role("link", name=re.compile("^Demand analysis")).click()
        try:
            await expect(page.get_by_role("heading", name="Model and why")).to_be_visible(
                timeout=10_000
            )
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await _wait_for_plan(page, stack)


async def _journey(page: Page, stack: WebStack, rec: ScreenRecorder, provider: str) -> None:
    """Dashboard → plan → analysis → purchase orders → settings → admin → tablet width."""
    await page.get_by_role("link", name="Dashboard").click()
    # the plan follows the load (full forecast recompute, then the re-plan); the dashboard
    # polls while the data is loaded but the plan is not ready, so no reload is needed
    await expect(page.locator(".tiles")).to_be_visible(timeout=90_000)
    await expect(page.get_by_text("Last sync: never")).to_have_count(0)
    await rec.screen("dashboard")
    await page.get_by_role("link", name="See my plan").click()
    await expect(page.locator("table.plan tbody tr").first).to_be_visible()
    await rec.screen("order-plan")

    await _wait_for_plan(page, stack)
    summary = page.get_by_test_id("plan-summary")
    await expect(summary).to_contain_text("rows")
    await page.get_by_role("button", name=re.compile("^Suggested qty")).click()
    await expect(page.locator("th", has_text="Suggested qty")).to_have_attribute(
        "aria-sort", re.compile("ascending|descending")
    )
    await rec.screen("order-plan-filtered")

    await _open_first_analysis(page, stack)
    await expect(page.locator(".chart canvas").first).to_be_visible()
    await expect(
        page.get_by_role("heading", name="From forecast to suggested quantity")
    ).to_be_visible()
    await rec.screen("demand-analysis")
    await page.get_by_role("link", name="← Order plan").click()

    await page.get_by_label("Action").select_option("buy")
    await page.get_by_label("Needs an order").check()
    rows = page.locator("table.plan tbody tr")
    await expect(rows.first).to_be_visible()
    await _order_and_send(page, rec, provider)

    await page.get_by_role("link", name="Settings").click()
    await expect(page.get_by_label("lead time days")).to_be_visible()
    await rec.screen("settings")
    await page.get_by_role("link", name="Admin").click()
    await expect(page.get_by_role("cell", name="Olive Owner")).to_be_visible()
    await rec.screen("admin")
    await page.set_viewport_size({"width": 820, "height": 1180})
    await page.get_by_role("link", name="Order plan").click()
    await expect(page.locator("table.plan tbody tr").first).to_be_visible()
    await rec.screen("order-plan-tablet")


async def _order_and_send(page: Page, rec: ScreenRecorder, provider: str) -> None:
    """Select a row with a supplier → create → approve → send → it shows in the sent history.

    Xero items have no default supplier: their rows carry the contact of the item's latest
    purchase order (the planner's "last purchase order" source).
    """
    rows = page.locator("table.plan tbody tr")
    with_supplier = rows.filter(has_not=page.locator("td:nth-child(4)", has_text="—"))
    await with_supplier.first.get_by_role("checkbox").check()
    await page.get_by_role("button", name=re.compile(r"^Create purchase orders \(1\)")).click()
    await page.wait_for_url(re.compile(r"/purchase-orders$"))
    order = page.locator("article.order").first
    await expect(order.locator('[data-status="draft"]')).to_be_visible()
    await rec.screen("purchase-orders-draft")
    await order.get_by_role("button", name="Approve").click()
    await expect(order.locator('[data-status="approved"]')).to_be_visible()
    await order.get_by_role("button", name=re.compile("^Send to")).click()
    await page.get_by_role("tab", name="Sent history").click()
    sent = page.get_by_role("table", name="Sent purchase orders")
    deadline = time.monotonic() + 60
    while not await sent.locator('[data-status="sent"]').count():
        assert time.monotonic() < deadline, "the order was not sent"
        await page.wait_for_timeout(1_000)
        await page.get_by_role("tab", name="Open").click()
        await page.get_by_role("tab", name="Sent history").click()
    await expect(sent).to_contain_text(provider)
    await rec.screen("purchase-orders-sent")


async def _walk(
    pg_url: str,
    kafka_bootstrap: str,
    keys_dir: Path,
    unique_name: str,
    provider: str,
    steps: Callable[[Page, WebStack, ScreenRecorder], Awaitable[None]],
) -> None:
    """Run one provider's journey on a fresh stack and browser; screenshots go under its
    name, a failure leaves a screenshot, and every screen must pass axe-core."""
    async with (
        web_stack(pg_url, kafka_bootstrap, keys_dir, unique_name) as stack,
        chromium() as browser,
    ):
        page = await browser.new_page()
        rec = ScreenRecorder(page, output_dir(provider))
        async with rec.failure_shot():
            await steps(page, stack, rec)
        rec.assert_accessible()


async def test_web_journey_katana(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str
) -> None:
    await _walk(pg_url, kafka_bootstrap, keys_dir, unique_name, "katana", _katana)


async def _katana(page: Page, stack: WebStack, rec: ScreenRecorder) -> None:
    await page.goto(stack.url)
    await rec.screen("welcome")
    await _sign_up(page, stack, "Kea Components", "NZD")
    await rec.screen("load-data-empty")
    await page.get_by_label("Katana API key").fill("not-a-valid-katana-key")
    await page.get_by_role("button", name="Connect Katana").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await rec.screen("load-data-error")
    await page.get_by_label("Katana API key").fill(stack.katana_key)
    await page.get_by_role("button", name="Connect Katana").click()
    await expect(page.get_by_text(re.compile("^Connected to"))).to_be_visible()
    await _load(page, rec)
    await _journey(page, stack, rec, "katana")


async def test_web_journey_xero(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str
) -> None:
    await _walk(pg_url, kafka_bootstrap, keys_dir, unique_name, "xero", _xero)


async def _xero(page: Page, stack: WebStack, rec: ScreenRecorder) -> None:
    await _sign_up(page, stack, "Tui Trading", "NZD")
    await page.get_by_role("button", name="Connect Xero").click()
    await page.get_by_role("button", name="Allow access").click()
    await page.wait_for_url(re.compile(r"/data\?grant_id="))
    await expect(page.get_by_role("heading", name="Choose the Xero organisation")).to_be_visible()
    await rec.screen("xero-choose-organisation")
    await page.get_by_role("button", name=re.compile("^Connect ")).first.click()
    await expect(page.locator("article.connection")).to_be_visible()
    await expect(page.locator('article.connection [data-status="active"]')).to_be_visible()
    await _load(page, rec)
    await _journey(page, stack, rec, "xero")
