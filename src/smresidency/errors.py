"""Friendly error pages instead of stack traces, with the right status codes."""

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Upload too large",
    429: "Too many requests",
    500: "Something went wrong",
}


def register_errorhandlers(app: Flask) -> None:
    """Render every HTTP error and any unexpected exception with the site's error template."""

    def render(code: int, description: str | None = None):
        title = TITLES.get(code, "Error")
        return render_template(
            "errors/error.html", code=code, title=title, description=description
        ), code

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return render(err.code or 500, err.description if err.code in (400, 413, 429) else None)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return http_error(err)
        app.logger.exception("Unhandled exception")
        return render(500)
