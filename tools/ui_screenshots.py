"""Screenshots of Dagster UI pages with headless Chromium, for docs/ (issue 11).

    python -m tools.ui_screenshots --url http://localhost:3000 --out docs/img name=/path[::Section] ...

Needs Debian's `chromium` and `chromium-driver` (Makefile SYSTEM_PACKAGES) and a running
`dagster dev -w workspace.yaml`. Dismisses the UI's first-visit dialogs ("Skip", "Dismiss").
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

DIALOG_BUTTONS = ("Skip", "Dismiss", "Not now", "Close", "Got it")


def browser(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def dismiss_dialogs(driver: webdriver.Chrome) -> None:
    for label in DIALOG_BUTTONS:
        for button in driver.find_elements(By.XPATH, f"//button[normalize-space()='{label}']"):
            try:
                button.click()
                time.sleep(0.5)
            except Exception:  # noqa: BLE001 - a button that went away with the dialog is fine
                pass


def shoot(url: str, pages: list[tuple[str, str]], out: Path, width: int, height: int, wait: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    driver = browser(width, height)
    try:
        for name, path in pages:
            path, _, heading = path.partition("::")
            driver.get(url.rstrip("/") + path)
            time.sleep(wait)
            dismiss_dialogs(driver)
            if heading:  # scroll the page's section with that title to the top
                section = driver.find_element(By.XPATH, f"//*[normalize-space(text())='{heading}']")
                driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", section)
            time.sleep(1)
            target = out / f"{name}.png"
            driver.save_screenshot(str(target))
            print(f"{target}  ←  {path}")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--wait", type=float, default=5.0, help="seconds to let each page load")
    parser.add_argument("pages", nargs="+", help="name=/path[::Section title], e.g. ops-runs=/runs")
    args = parser.parse_args()
    shoot(args.url, [tuple(p.split("=", 1)) for p in args.pages], args.out, args.width, args.height, args.wait)


if __name__ == "__main__":
    main()
