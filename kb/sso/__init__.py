"""Single sign-on: OIDC (Google, Entra ID) and SAML 2.0 (Skolfederation), one account model."""
