"""An app in debug mode whose view fails, for the live debug-page test."""

from __future__ import annotations

from tumbler import Tumbler

app = Tumbler(__name__)
app.debug = True


@app.route("/boom")
def boom() -> str:
    raise ValueError("<b>not escaped?</b>")
