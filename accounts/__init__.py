"""Accounts of the web service: users, roles, passwords, sign-in sessions and API tokens (:mod:`accounts.users`)."""
