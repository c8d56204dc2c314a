"""Unattended logins over real HTTP: the real connectors (unmodified simple-salesforce and
hubspot-api-client) log in at the sandbox's token endpoints, and log in again once when
the sandbox expires their session mid-run."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from leadpact.auth_config import OAuthSettings
from leadpact.connectors.hubspot import HubSpotConnector
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.salesforce import SalesforceConnector
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import Fault, Sandbox
from leadpact.errors import AuthError
from leadpact.model import Ref
from tests import hs_builders as hs
from tests.sf_builders import ManualClock, SalesforceOrg

USER = "integration@sandbox.example"


@functools.cache
def key_pair() -> tuple[str, str]:
    """(private key PEM, self-signed certificate PEM), as an admin makes for a connected app."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leadpact test")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return private, cert.public_bytes(serialization.Encoding.PEM).decode()


@functools.cache
def other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def sf_settings(sandbox: Sandbox, flow: str, **overrides: str) -> OAuthSettings:
    apps = sandbox.oauth.apps
    values = {"client_id": apps.consumer_key, "client_secret": "", "refresh_token": "",
              "username": "", "private_key": "", "audience": ""}
    if flow == "jwt":
        values |= {"username": USER, "private_key": key_pair()[0],
                   "audience": "https://login.salesforce.com"}
    elif flow == "client_credentials":
        values["client_secret"] = apps.consumer_secret
    else:
        values["refresh_token"] = apps.refresh_token
    values |= overrides
    return OAuthSettings(flow, f"{sandbox.url}/services/oauth2/token", **values)


def sf_connector(sandbox: Sandbox, settings: OAuthSettings) -> SalesforceConnector:
    return SalesforceConnector(sandbox.url, None, oauth=settings,
                               retry=RetryPolicy(attempts=3, sleep=lambda s: None))


def hs_settings(sandbox: Sandbox, **overrides: str) -> OAuthSettings:
    apps = sandbox.oauth.apps
    values = {"client_id": apps.hubspot_client_id, "client_secret": apps.hubspot_client_secret,
              "refresh_token": apps.hubspot_refresh_token} | overrides
    return OAuthSettings("refresh_token", f"{sandbox.url}/oauth/v1/token", **values)


@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceOrg:
    ensure_schema(sandbox.store)
    sandbox.oauth.apps.jwt_public_key = key_pair()[1]
    return SalesforceOrg(sandbox.store, ManualClock())


# -- the wire format --------------------------------------------------------------------------
def test_given_each_grant_when_posting_the_form_then_salesforce_token_json(
        sandbox: Sandbox) -> None:
    apps = sandbox.oauth.apps
    url = f"{sandbox.url}/services/oauth2/token"
    for form in ({"grant_type": "client_credentials", "client_id": apps.consumer_key,
                  "client_secret": apps.consumer_secret},
                 {"grant_type": "refresh_token", "client_id": apps.consumer_key,
                  "refresh_token": apps.refresh_token}):
        answer = requests.post(url, data=form, timeout=5)
        assert answer.status_code == 200
        assert set(answer.json()) >= {"access_token", "instance_url", "id", "token_type",
                                      "issued_at", "signature"}
        assert answer.json()["instance_url"] == sandbox.url
    refused = requests.post(url, data={"grant_type": "refresh_token",
                                       "client_id": apps.consumer_key,
                                       "refresh_token": "revoked"}, timeout=5)
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant",
                              "error_description": "expired access/refresh token"}


def test_given_a_hubspot_refresh_when_posting_the_form_then_hubspot_token_json(
        sandbox: Sandbox) -> None:
    apps = sandbox.oauth.apps
    answer = requests.post(f"{sandbox.url}/oauth/v1/token", timeout=5, data={
        "grant_type": "refresh_token", "client_id": apps.hubspot_client_id,
        "client_secret": apps.hubspot_client_secret,
        "refresh_token": apps.hubspot_refresh_token})
    assert answer.status_code == 200
    assert set(answer.json()) == {"access_token", "refresh_token", "expires_in", "token_type"}
    token = answer.json()["access_token"]
    listed = requests.get(f"{sandbox.url}/crm/v3/objects/contacts", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


# -- Salesforce flows ----------------------------------------------------------------------
@pytest.mark.parametrize("flow", ["jwt", "client_credentials", "refresh_token"])
def test_given_an_oauth_flow_when_reading_then_it_logs_in_once_and_reads(
        sandbox: Sandbox, org: SalesforceOrg, flow: str) -> None:
    lead = org.lead("Ng", Title="CFO")
    with sf_connector(sandbox, sf_settings(sandbox, flow)) as conn:
        first = conn.read_records([Ref("salesforce", "lead", lead)])
        again = conn.read_records([Ref("salesforce", "lead", lead)])
    assert [r.ref.id for r in first] == [lead] == [r.ref.id for r in again]
    assert sandbox.oauth.logins("salesforce") == 1


@pytest.mark.parametrize(("flow", "overrides", "said"), [
    ("jwt", {"private_key": other_key()}, "invalid_grant: invalid assertion"),
    ("jwt", {"username": "someone@else.example"}, "user hasn't approved this consumer"),
    ("jwt", {"audience": "https://evil.example"}, "audience is invalid"),
    ("jwt", {"client_id": "unknown-app"}, "invalid_client_id"),
    ("client_credentials", {"client_secret": "wrong-secret-4f1c"}, "invalid_client"),
    ("refresh_token", {"refresh_token": "revoked-refresh-9d2e"}, "invalid_grant"),
])
def test_given_bad_credentials_when_logging_in_then_auth_error_names_flow_not_secret(
        sandbox: Sandbox, org: SalesforceOrg, flow: str, overrides: dict[str, str],
        said: str) -> None:
    lead = org.lead("Ng")
    with sf_connector(sandbox, sf_settings(sandbox, flow, **overrides)) as conn, \
            pytest.raises(AuthError) as raised:
        conn.read_records([Ref("salesforce", "lead", lead)])
    message = str(raised.value)
    assert f"refused the {flow} login" in message and said in message
    for secret in overrides.values():
        if "PRIVATE" in secret:
            assert "PRIVATE" not in message
        elif "@" not in secret and "://" not in secret:
            assert secret not in message


def test_given_sessions_that_expire_when_reading_on_then_each_expiry_costs_one_login(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    leads = [org.lead(f"Lead{n}") for n in range(3)]
    sandbox.oauth.apps.session_calls = 2
    with sf_connector(sandbox, sf_settings(sandbox, "jwt")) as conn:
        for _ in range(6):
            found = conn.read_records([Ref("salesforce", "lead", i) for i in leads])
            assert sorted(r.ref.id for r in found) == sorted(leads)
        renewals = conn._auth.renewals
    assert renewals >= 2
    assert sandbox.oauth.logins("salesforce") == renewals + 1


def test_given_an_expiry_on_demand_when_the_next_call_comes_then_it_logs_in_again(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    lead = org.lead("Ng")
    with sf_connector(sandbox, sf_settings(sandbox, "client_credentials")) as conn:
        conn.read_records([Ref("salesforce", "lead", lead)])
        assert requests.post(f"{sandbox.url}/_sandbox/sessions/expire",
                             timeout=5).json()["expired"] == 1
        assert [r.ref.id for r in conn.read_records([Ref("salesforce", "lead", lead)])] == [lead]
    assert sandbox.oauth.logins("salesforce") == 2


def test_given_a_new_session_refused_too_when_calling_then_only_one_login_and_auth_error(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    lead = org.lead("Ng")
    sandbox.oauth.apps.session_calls = 0  # every token is refused at once
    with sf_connector(sandbox, sf_settings(sandbox, "refresh_token")) as conn, \
            pytest.raises(AuthError, match="rejected the access token"):
        conn.read_records([Ref("salesforce", "lead", lead)])
    assert sandbox.oauth.logins("salesforce") == 2  # the first login and one renewal


def test_given_a_static_token_when_the_session_expires_then_no_login_is_attempted(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    lead = org.lead("Ng")
    with SalesforceConnector(sandbox.url, "expired-session-token",
                             retry=RetryPolicy(attempts=2, sleep=lambda s: None)) as conn, \
            pytest.raises(AuthError, match="LEADPACT_SALESFORCE_TOKEN"):
        conn.read_records([Ref("salesforce", "lead", lead)])
    assert sandbox.oauth.logins("salesforce") == 0


def test_given_the_token_endpoint_fails_once_when_logging_in_then_retried(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    lead = org.lead("Ng")
    sandbox.faults.add(Fault("salesforce", "POST", "/oauth2/token", status=503))
    with sf_connector(sandbox, sf_settings(sandbox, "client_credentials")) as conn:
        assert [r.ref.id for r in conn.read_records([Ref("salesforce", "lead", lead)])] == [lead]


# -- HubSpot OAuth refresh -------------------------------------------------------------------
def hs_connector(sandbox: Sandbox, settings: OAuthSettings) -> HubSpotConnector:
    return HubSpotConnector(sandbox.url, None, oauth=settings,
                            retry=RetryPolicy(attempts=3, sleep=hs.Sleeps()),
                            client_options={"client_side_validation": True})


def test_given_hubspot_oauth_when_reading_through_expiries_then_refreshed_each_time(
        sandbox: Sandbox) -> None:
    ids = [hs.contact(sandbox.store, firstname=f"C{n}") for n in range(3)]
    sandbox.oauth.apps.session_calls = 1
    conn = hs_connector(sandbox, hs_settings(sandbox))
    for _ in range(4):
        found = conn.read_records([Ref("hubspot", "contact", i) for i in ids])
        assert sorted(r.ref.id for r in found) == sorted(ids)
    assert conn._call.renewals >= 3
    assert sandbox.oauth.logins("hubspot") == conn._call.renewals + 1


def test_given_a_revoked_hubspot_refresh_token_when_reading_then_auth_error_not_token(
        sandbox: Sandbox) -> None:
    contact = hs.contact(sandbox.store)
    conn = hs_connector(sandbox, hs_settings(sandbox, refresh_token="revoked-hs-77aa"))
    with pytest.raises(AuthError) as raised:
        conn.read_records([Ref("hubspot", "contact", contact)])
    assert "BAD_REFRESH_TOKEN" in str(raised.value)
    assert "LEADPACT_HUBSPOT_REFRESH_TOKEN" in str(raised.value)
    assert "revoked-hs-77aa" not in str(raised.value)
    problems = conn.check()
    assert len(problems) == 1 and "BAD_REFRESH_TOKEN" in problems[0].what
