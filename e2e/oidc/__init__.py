"""A real OpenID provider (npm `oidc-provider`) for the e2e tests and the OIDC demo."""
