"""The SOAP API's login, logout and convertLead, by hand; jsforce's `login()` and
`soap.convertLead()` are driven in `test_clients`."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from forcebridge.sandbox.server import SandboxServer

LOGIN = (
    '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body>'
    '<login xmlns="urn:partner.soap.sforce.com"><username>{username}</username>'
    "<password>{password}</password></login></se:Body></se:Envelope>"
)
LOGOUT = (
    '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header>'
    '<SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>{session}</sessionId>'
    '</SessionHeader></se:Header><se:Body><logout xmlns="urn:partner.soap.sforce.com"/>'
    "</se:Body></se:Envelope>"
)


CONVERT = (
    '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header>'
    '<SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>{session}</sessionId>'
    '</SessionHeader></se:Header><se:Body><convertLead xmlns="urn:partner.soap.sforce.com">'
    "{converts}</convertLead></se:Body></se:Envelope>"
)


def element(text: str, name: str) -> str:
    found = re.search(f"<{name}>([^<]*)</{name}>", text)
    assert found, f"no <{name}> in {text}"
    return found.group(1)


def soap(http: requests.Session, url: str, envelope: str) -> requests.Response:
    return http.post(url, data=envelope, headers={"Content-Type": "text/xml", "SOAPAction": '""'})


def test_a_login_opens_a_session_every_api_takes_and_logout_ends_it(
    sandbox: SandboxServer,
    https_for: Callable[[SandboxServer], requests.Session],
    salesforce_for: Callable[..., Salesforce],
) -> None:
    http = https_for(sandbox)
    config = sandbox.config

    answer = soap(
        http,
        f"{sandbox.base_url}/services/Soap/u/62.0",
        LOGIN.format(username=config.username, password=config.password),
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    server_url = element(answer.text, "serverUrl")
    org_id = element(answer.text, "organizationId")
    assert server_url == f"{sandbox.base_url}/services/Soap/u/62.0/{org_id}"
    assert element(answer.text, "userName") == config.username
    session = element(answer.text, "sessionId")
    sf = salesforce_for(sandbox, session)
    assert sf.query("SELECT COUNT() FROM Contact")["done"] is True

    ended = soap(http, server_url, LOGOUT.format(session=session))

    assert (ended.status_code, "<logoutResponse/>" in ended.text) == (200, True)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT COUNT() FROM Contact")


@pytest.mark.parametrize(
    ("path", "envelope", "code"),
    [
        ("u/62.0", LOGIN.format(username="admin", password="wrong"), "INVALID_LOGIN"),
        ("c/62.0", LOGIN.format(username="nobody@example.com", password="x"), "INVALID_LOGIN"),
        ("u/62.0", LOGOUT.format(session="not-a-session"), "INVALID_SESSION_ID"),
        ("u/62.0", CONVERT.format(session="not-a-session", converts=""), "INVALID_SESSION_ID"),
        ("u/12.0", LOGIN.format(username="a", password="b"), "UNSUPPORTED_API_VERSION"),
        (
            "u/62.0",
            '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body>'
            '<query xmlns="urn:partner.soap.sforce.com"/></se:Body></se:Envelope>',
            "INVALID_OPERATION",
        ),
        (
            "m/62.0",
            '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body>'
            '<listMetadata xmlns="http://soap.sforce.com/2006/04/metadata"/></se:Body>'
            "</se:Envelope>",
            "INVALID_OPERATION",
        ),
        (
            "u/62.0",
            '<!DOCTYPE x [<!ENTITY e "admin">]><se:Envelope xmlns:se="x"><se:Body>'
            "<login><username>&e;</username></login></se:Body></se:Envelope>",
            "INVALID_OPERATION",
        ),
    ],
)
def test_a_refused_call_is_a_soap_fault(
    sandbox: SandboxServer,
    https_for: Callable[[SandboxServer], requests.Session],
    path: str,
    envelope: str,
    code: str,
) -> None:
    answer = soap(https_for(sandbox), f"{sandbox.base_url}/services/Soap/{path}", envelope)

    assert answer.status_code == 500
    assert element(answer.text, "faultcode") == f"sf:{code}"
    assert element(answer.text, "faultstring").startswith(f"{code}: ")


def test_convert_lead_answers_a_result_for_each_conversion_in_order(
    sandbox: SandboxServer, https_for: Callable[[SandboxServer], requests.Session]
) -> None:
    org = sandbox.org
    lead = org.create("Lead", {"LastName": "Soap", "Company": "Envelope Inc"})
    converts = (
        f"<leadConverts><leadId>{lead}</leadId><convertedStatus>Closed - Converted"
        "</convertedStatus><doNotCreateOpportunity>true</doNotCreateOpportunity></leadConverts>"
        f"<leadConverts><leadId>{lead}</leadId></leadConverts>"
    )
    answer = soap(
        https_for(sandbox),
        f"{sandbox.base_url}/services/Soap/u/62.0/{org.org_id}",
        CONVERT.format(session=sandbox.access_token(), converts=converts),
    )

    assert answer.status_code == 200
    first, second = re.findall(r"<result>.*?</result>", answer.text)
    contact = element(first, "contactId")
    assert org.retrieve("Contact", contact, ["AccountId"])["AccountId"] == element(
        first, "accountId"
    )
    assert '<opportunityId xsi:nil="true"/>' in first
    assert element(first, "success") == "true"
    assert element(second, "statusCode") == "REQUIRED_FIELD_MISSING"
    assert element(second, "fields") == "convertedStatus"
    assert element(second, "success") == "false"
