"""`flask users …`: manage accounts and roles from the shell."""

import click
from flask.cli import with_appcontext

from smresidency.access import ROLES
from smresidency.auth import services
from smresidency.auth.passwords import password_problems
from smresidency.extensions import db
from smresidency.text import clean_name, refusal, unsafe_characters

users_cli = click.Group("users", help="Create accounts, change roles, disable accounts.")


def _user_or_fail(email: str):
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    return user


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in e-mail address.")
@click.option("--name", required=True, help="Full name, as printed on certificates.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=["learner"],
    show_default=True,
    help="Role to grant; repeat for several.",
)
@click.password_option(help="Password (asked for when not given).")
@with_appcontext
def create(email, name, roles, password):
    """Create an account with one or more roles."""
    from smresidency.auth.forms import email_problem

    bad_email = email_problem(email.strip())
    if bad_email:
        raise click.ClickException(bad_email)
    name = clean_name(name)
    if unsafe_characters(name):
        raise click.ClickException("--name: " + refusal(unsafe_characters(name)))
    problems = password_problems(password, email, name)
    if problems:
        raise click.ClickException(" ".join(problems))
    try:
        user = services.create_user(email, name, password, roles)
    except services.AccountError as err:
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"Created {user.email} with role(s): {', '.join(sorted(user.roles))}.")


@users_cli.command("set-role")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    required=True,
    help="The roles the account should hold afterwards; repeat for several.",
)
@with_appcontext
def set_role(email, roles):
    """Replace an account's roles with exactly the ones given."""
    user = _user_or_fail(email)
    services.set_roles(user, roles)
    db.session.commit()
    click.echo(f"{user.email} now holds: {', '.join(sorted(user.roles))}.")


@users_cli.command("disable")
@click.argument("email")
@click.option("--enable", is_flag=True, help="Re-enable a disabled account instead.")
@with_appcontext
def disable(email, enable):
    """Disable an account (ending all its sessions), or re-enable it with --enable."""
    user = _user_or_fail(email)
    services.set_active(user, enable)
    db.session.commit()
    click.echo(f"{user.email} is {'enabled' if enable else 'disabled; every session is ended'}.")


@users_cli.command("list")
@with_appcontext
def list_users():
    """List every account with its roles and state."""
    from sqlalchemy import select

    from smresidency.auth.models import User

    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.email}\t{user.name}\t{','.join(sorted(user.roles))}\t{state}")
