"""The web service's blueprints: the JSON API, sign-in and roles, and the HTML pages."""
