"""Sign-in: the three ways to run Blueprint and who the person at the page is, in plain Python (no streamlit).

    settings = read_settings(secrets)          # signin.settings: the checked mode, or SignInSettingsError
    person = from_headers(settings, headers)   # signin.identify: header mode (a trusted sign-in proxy)
    person = from_claims(claims)               # signin.identify: OpenID Connect (what st.user holds)

components/identity.py is the Streamlit side: it reads st.secrets, st.user and st.context.headers, calls these,
and turns the Identity into the store's User.
"""
