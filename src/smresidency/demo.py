"""`flask demo create`: one account per role for trying the app; refused in production."""

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from smresidency.access import ROLES
from smresidency.extensions import db

demo_cli = click.Group("demo", help="Demo accounts for development (refused in production).")

DOMAIN = "example.test"


@demo_cli.command("create")
@click.option("--reset", is_flag=True, help="Give existing demo accounts new passwords.")
@with_appcontext
def create(reset):
    """Create learner@, instructor@, coordinator@ and admin@example.test; print passwords once."""
    from smresidency.auth import services

    if current_app.config["ENV"] == "production":
        raise click.ClickException("Demo accounts are refused when ENV is production.")
    printed = []
    for role in ROLES:
        email = f"{role}@{DOMAIN}"
        password = "-".join(secrets.token_urlsafe(4) for _ in range(4))
        user = services.find_user(email)
        if user is None:
            services.create_user(email, f"Demo {role.title()}", password, (role,))
            printed.append((role, email, password))
        elif reset:
            services.set_password(user, password)
            printed.append((role, email, password))
    db.session.commit()
    if not printed:
        click.echo(
            "Demo accounts exist already; their passwords were printed when they were created. "
            "Run `flask demo create --reset` for new ones."
        )
        return
    click.echo("Demo accounts (these passwords are shown only now):")
    for role, email, password in printed:
        click.echo(f"  {role:<12} {email:<28} {password}")
    click.echo("Instructors edit the course in the browser at /studio.")
