"""Playwright fixtures: the system Chromium against pytest-django's live server.

A failing journey leaves a screenshot of its last page in ``test-artifacts/``.
"""

import importlib
import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault(_FAILED, report.failed)
    return report


_FAILED = pytest.StashKey[bool]()


#: Data migrations whose rows the flush after each live-server test removes.
DATA_MIGRATIONS = [
    ("households.migrations.0002_load_standards", "load_standards"),
    ("plans.migrations.0002_catalogue", "load"),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Standards and the support catalogue, as the data migrations create them.

    Live-server tests run outside a transaction and end with a flush, which
    empties every table, including the rows data migrations created.
    """
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def page(browser, request, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
