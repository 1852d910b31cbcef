"""Start-up checks of the workstation: the front-end files it cannot work without.

htmx comes from the npm registry at install time (`make install`); a Kefu installed with
`pip install -e .` alone would serve pages that do nothing, so every management command
(`kefu serve` runs collectstatic first) stops and says what is missing and how to get it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.core.checks import Error, register

#: Static file -> the npm package it comes from.
FRONT_END_ASSETS = {
    "web/vendor/htmx.min.js": "htmx.org",
    "web/vendor/echarts.min.js": "echarts",
}


@register()
def front_end_assets(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [
        Error(
            f"the front-end file {path} is missing: the workstation pages would not work",
            hint=(
                f"run `make install` (it runs `npm ci` and copies {package}'s file into "
                "kefu/web/static/web/vendor/), or install Kefu from a wheel built with "
                "`make wheel`, which carries the file"
            ),
            id="kefu.E001",
        )
        for path, package in FRONT_END_ASSETS.items()
        if not finders.find(path)
    ]
