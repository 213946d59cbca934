"""Make docs/img/explorer.png: derivlab.explore("3*x*exp(x)", 1.0) in headless Chromium, 1000x700.

    PYTHONPATH=src python docs/img/make_explorer_png.py    (needs plotly, selenium, chromium)
"""

import pathlib
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

import derivlab

OUT = pathlib.Path(__file__).with_name("explorer.png")

options = webdriver.ChromeOptions()
options.binary_location = "/usr/lib/chromium/chromium"
for arg in ("--headless=new", "--no-sandbox", "--hide-scrollbars"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                       {"width": 1000, "height": 700, "deviceScaleFactor": 1, "mobile": False})
with tempfile.TemporaryDirectory() as tmp:
    page = derivlab.explore("3*x*exp(x)", 1.0).write_html(pathlib.Path(tmp) / "explorer.html")
    driver.get(page.as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "var g = document.querySelector('.js-plotly-plot'); return !!(g && g._fullData);"))
    driver.execute_script("document.querySelector('.modebar-container').style.display = 'none';")
    driver.save_screenshot(str(OUT))
driver.quit()
print(OUT, OUT.stat().st_size, "bytes")
