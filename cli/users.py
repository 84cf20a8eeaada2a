"""`rujuk users add|list|set-role|set-password|disable|enable|sign-out|token|revoke`: accounts and API tokens."""

from __future__ import annotations

import sys

import click

from accounts import users as accounts
from cli._common import database, friendly_errors, print_table
from core.errors import InputError

ROLE = click.Choice(accounts.ROLES)


def _password(from_stdin: bool) -> str:
    """Return a password from the first line of standard input, or asked twice (hidden)."""
    if not from_stdin:
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError("password", "(empty)", "was not on standard input; pipe it in from a password manager.")
    return password


@click.group()
def users() -> None:
    """Accounts of the web service.

    Roles, lowest first: public, caseworker (sees safe-house locations), editor (writes the directory), admin.
    """


@users.command("add")
@click.argument("username")
@click.option("--role", type=ROLE, default="public", show_default=True, help="What the user may see and do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@friendly_errors
def add(username: str, role: str, password_stdin: bool) -> None:
    """Create USERNAME; the password is asked twice (hidden) unless --password-stdin."""
    user = accounts.create_user(database(), username, _password(password_stdin), role)
    click.echo(f"Created user {user.username} with the role {user.role}.")


@users.command("list")
@friendly_errors
def list_users() -> None:
    """List users with their role, state and active tokens (names only)."""
    import pandas as pd

    engine = database()
    rows = [
        {
            "username": u.username,
            "role": u.role,
            "disabled": u.disabled,
            "created_at": f"{u.created_at:%Y-%m-%d %H:%M}",
            "tokens": ", ".join(t.name for t in accounts.list_tokens(engine, u.username) if not t.revoked),
        }
        for u in accounts.list_users(engine)
    ]
    print_table(pd.DataFrame(rows))


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLE)
@friendly_errors
def set_role(username: str, role: str) -> None:
    """Give USERNAME the role ROLE (it applies to the user's sessions and tokens at once)."""
    user = accounts.set_role(database(), username, role)
    click.echo(f"{user.username} now has the role {user.role}.")


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the user again instead (same as `rujuk users enable`).")
@friendly_errors
def disable(username: str, enable: bool) -> None:
    """Disable USERNAME: no sign-in, sessions ended, every token refused (or --enable)."""
    user = accounts.disable_user(database(), username, disabled=not enable)
    click.echo(f"{user.username} is {'disabled' if user.disabled else 'enabled'}.")


@users.command("enable")
@click.argument("username")
@friendly_errors
def enable(username: str) -> None:
    """Enable USERNAME again (a disabled user signs in and uses tokens again)."""
    user = accounts.disable_user(database(), username, disabled=False)
    click.echo(f"{user.username} is enabled.")


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@friendly_errors
def set_password(username: str, password_stdin: bool) -> None:
    """Reset USERNAME's password (asked twice, hidden): their sessions end and a lockout is cleared."""
    user = accounts.set_password(database(), username, _password(password_stdin))
    click.echo(f"New password set for {user.username}; their sessions were ended.")


@users.command("sign-out")
@click.argument("username")
@friendly_errors
def sign_out(username: str) -> None:
    """End every signed-in session of USERNAME at once (a lost laptop); tokens are revoked with `revoke`."""
    user = accounts.end_sessions(database(), username)
    click.echo(f"Every session of {user.username} was ended.")


@users.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. kupang-laptop.")
@friendly_errors
def token(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it: this is the only time it is shown."""
    clear = accounts.create_token(database(), username, name)
    click.echo(clear)
    click.echo("Keep it secret: send it as 'Authorization: Bearer <token>'. It cannot be shown again.", err=True)


@users.command("revoke")
@click.argument("username")
@click.option("--name", required=True, help="The name of the token(s) to revoke.")
@friendly_errors
def revoke(username: str, name: str) -> None:
    """Revoke USERNAME's tokens named NAME; they stop working at once."""
    count = accounts.revoke_token(database(), username, name)
    click.echo(f"Revoked {count} token(s) of {username}.")
