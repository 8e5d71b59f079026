"""The small HTML pages of the sign-in flow (no template engine, everything escaped)."""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}"
    "label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem}"
    "button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}"
)


def login_page(action: str, csrf: str, *, email: str = "", error: str | None = None) -> str:
    """The sign-in form; ``action`` already carries the authorization request."""
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>Sign in to Restock</title><style>{_STYLE}</style></head><body>"
        f"<h1>Sign in to Restock</h1>{message}"
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        '<label for="email">Email</label>'
        f'<input id="email" name="email" type="email" autocomplete="username" required '
        f'value="{escape(email)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" '
        'autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form></body></html>'
    )


def error_page(title: str, detail: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(detail)}</p></body></html>"
    )
