"""The SOAP API's `login`, `logout` and `convertLead`, as jsforce (`conn.login(username,
password)` without a connected app, `conn.soap.convertLead(...)`) and Data Loader use them.

`POST /services/Soap/u/{version}` (partner) or `/services/Soap/c/{version}` (enterprise) with a
`login` envelope checks the user's password, as the OAuth password grant does, and opens an API
session: the `sessionId` is a bearer token for every other API, and `serverUrl` names the
instance (`https://host/services/Soap/u/62.0/00D...`). A wrong password is Salesforce's
`INVALID_LOGIN` fault, answered 500 as SOAP faults are. `logout`, with the session in the
`SessionHeader`, ends it. `convertLead` converts each of its `leadConverts` on its own (one API
call for all of them; SOAP's default, without an `AllOrNoneHeader`) and answers a
LeadConvertResult for each, in order: as Salesforce does, a new Opportunity comes with each
conversion unless `doNotCreateOpportunity` is true. Other SOAP calls get an
`INVALID_OPERATION` fault: the sandbox serves the REST and Bulk APIs. Envelopes are parsed with
defusedxml (no entities, no external references).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from fastapi import APIRouter, Request
from fastapi.responses import Response

from forcebridge.sandbox.auth import Grant
from forcebridge.sandbox.conversion import wire_options
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import RELEASES, SandboxState, instance_url, sandbox_of
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.oauth import user_profile

router = APIRouter(prefix="/services/Soap")

ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
SCHEMAS = {"u": "urn:partner.soap.sforce.com", "c": "urn:enterprise.soap.sforce.com"}
UNSERVED = {
    "m": ("the Metadata API", "http://soap.sforce.com/2006/04/metadata"),
    "T": ("the Tooling SOAP API", "urn:tooling.soap.sforce.com"),
}
"""SOAP APIs a login's answer points at but the sandbox does not serve: a client that calls
one gets a fault saying so, not an empty 404."""
SOAP_SCOPE = "api web full"
SESSION_SECONDS = 7200
INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


class SoapFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def _envelope(schema: str, body: str, extra_namespaces: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{ENVELOPE}" xmlns="{schema}"'
        f' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{extra_namespaces}>'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def _xml(text: str, status: int = 200) -> Response:
    return Response(text, status, media_type="text/xml; charset=utf-8")


def fault(kind: str, error: SoapFault) -> Response:
    """A SOAP fault as Salesforce writes it: `sf:CODE`, `CODE: message`, and the detail."""
    if kind in UNSERVED:
        schema = fault_ns = UNSERVED[kind][1]
    else:
        schema, fault_ns = SCHEMAS[kind], f"urn:fault.{SCHEMAS[kind].removeprefix('urn:')}"
    detail = "LoginFault" if error.code == "INVALID_LOGIN" else "UnexpectedErrorFault"
    body = (
        "<soapenv:Fault>"
        f"<faultcode>sf:{error.code}</faultcode>"
        f"<faultstring>{escape(error.code)}: {escape(error.message)}</faultstring>"
        f'<detail><sf:{detail} xsi:type="sf:{detail}">'
        f"<sf:exceptionCode>{escape(error.code)}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(error.message)}</sf:exceptionMessage>"
        f"</sf:{detail}></detail></soapenv:Fault>"
    )
    return _xml(_envelope(schema, body, f' xmlns:sf="{fault_ns}"'), 500)


def _children(element: ElementTree.Element) -> dict[str, str]:
    return {_local(child.tag): (child.text or "").strip() for child in element}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_call(raw: bytes) -> tuple[str, ElementTree.Element, dict[str, str]]:
    """The call's name, its element (whose children are its arguments), and the
    `SessionHeader` values."""
    try:
        envelope = fromstring(raw)
    except (ElementTree.ParseError, DefusedXmlException):
        raise SoapFault("INVALID_OPERATION", "The request is not a SOAP envelope") from None
    parts = {_local(child.tag): child for child in envelope}
    header = parts.get("Header")
    session = next((_children(h) for h in header or () if _local(h.tag) == "SessionHeader"), {})
    body = parts.get("Body")
    call = next(iter(body), None) if body is not None else None
    if call is None:
        raise SoapFault("INVALID_OPERATION", "The SOAP body names no call")
    return _local(call.tag), call, session


def login_result(state: SandboxState, base: str, version: str, session: str, grant: Grant) -> str:
    """The `result` of a login: where the instance is, the session, and who is logged in."""
    org_id = state.org.org_id
    user = state.org.retrieve("User", grant.user_id)
    profile = user_profile(state, base, grant, user)
    organization = state.org.retrieve("Organization", org_id, ["Name"])
    info = {
        "accessibilityMode": "false",
        "currencySymbol": "$",
        "orgDefaultCurrencyIsoCode": "USD",
        "orgHasPersonAccounts": "false",
        "organizationId": org_id,
        "organizationMultiCurrency": "false",
        "organizationName": organization.get("Name") or "",
        "profileId": user.get("ProfileId") or "",
        "sessionSecondsValid": str(SESSION_SECONDS),
        "userEmail": profile["email"] or "",
        "userFullName": profile["display_name"] or "",
        "userId": grant.user_id,
        "userLanguage": profile["language"],
        "userLocale": profile["locale"],
        "userName": profile["username"] or "",
        "userTimeZone": profile["timezone"],
        "userType": "Standard",
        "userUiSkin": "Theme3",
    }
    fields = {
        "metadataServerUrl": f"{base}/services/Soap/m/{version}/{org_id}",
        "passwordExpired": "false",
        "sandbox": "false",
        "serverUrl": f"{base}/services/Soap/u/{version}/{org_id}",
        "sessionId": session,
        "userId": grant.user_id,
    }
    result = _elements(fields) + f"<userInfo>{_elements(info)}</userInfo>"
    return f"<loginResponse><result>{result}</result></loginResponse>"


def _elements(values: dict[str, str]) -> str:
    return "".join(f"<{name}>{escape(value)}</{name}>" for name, value in values.items())


def _login(state: SandboxState, base: str, version: str, args: dict[str, str]) -> str:
    user_id = state.auth.check_password(args.get("username", ""), args.get("password", ""))
    if user_id is None:
        raise SoapFault("INVALID_LOGIN", INVALID_LOGIN)
    grant = Grant(user_id, "", SOAP_SCOPE)
    return login_result(state, base, version, state.auth.open_session(grant), grant)


def _logout(state: SandboxState, session: dict[str, str]) -> str:
    token = session.get("sessionId", "")
    if not token or not state.auth.revoke(token):
        raise SoapFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
    return "<logoutResponse/>"


def _session(state: SandboxState, session: dict[str, str]) -> Grant:
    grant = state.auth.session(session.get("sessionId", "")) if session.get("sessionId") else None
    if grant is None:
        raise SoapFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
    return grant


def _convert_leads(state: SandboxState, call: ElementTree.Element, session: dict[str, str]) -> str:
    _session(state, session)
    if not state.usage.admit(ApiKind.SOBJECT):
        raise SoapFault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    results = []
    for element in call:
        if _local(element.tag) != "leadConverts":
            continue
        values = _children(element)
        try:
            if not values.get("convertedStatus"):
                raise ApiError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [convertedStatus]",
                    ["convertedStatus"],
                )
            options = wire_options(values, create_opportunity=True)
            result = state.org.convert_lead(values.get("leadId", ""), **options)
        except ApiError as error:
            result = {"leadId": values.get("leadId"), "errors": [error.to_record_error()]}
        results.append(_convert_result(result))
    return f"<convertLeadResponse>{''.join(results)}</convertLeadResponse>"


def _convert_result(result: dict[str, Any]) -> str:
    """One LeadConvertResult, its elements in the WSDL's order; a missing id is nil."""

    def element(name: str) -> str:
        value = result.get(name)
        return f"<{name}>{escape(value)}</{name}>" if value else f'<{name} xsi:nil="true"/>'

    errors = "".join(
        "<errors>"
        + "".join(f"<fields>{escape(f)}</fields>" for f in error["fields"])
        + f"<message>{escape(error['message'])}</message>"
        + f"<statusCode>{escape(error['statusCode'])}</statusCode></errors>"
        for error in result.get("errors", ())
    )
    success = "false" if result.get("errors") else "true"
    return (
        f"<result>{element('accountId')}{element('contactId')}{errors}{element('leadId')}"
        f"{element('opportunityId')}<success>{success}</success></result>"
    )


async def _soap(kind: str, version: str, request: Request) -> Response:
    state = sandbox_of(request)
    try:
        if kind in UNSERVED:
            raise SoapFault(
                "INVALID_OPERATION",
                f"{UNSERVED[kind][0]} is not served by this sandbox: use the REST, Tooling REST "
                "or Bulk API",
            )
        if version not in RELEASES:
            raise SoapFault(
                "UNSUPPORTED_API_VERSION", f"Invalid Api version specified on URL: {version}"
            )
        name, call, session = read_call(await request.body())
        if name == "login":
            # Off the event loop: checking a password hash takes tens of milliseconds.
            args = _children(call)
            body: Any = await state.run(_login, state, instance_url(request), version, args)
        elif name == "logout":
            body = _logout(state, session)
        elif name == "convertLead":
            body = await state.run(_convert_leads, state, call, session)
        else:
            raise SoapFault(
                "INVALID_OPERATION",
                f"{name} is not served by this sandbox: use the REST or Bulk API",
            )
    except SoapFault as error:
        return fault(kind, error)
    return _xml(_envelope(SCHEMAS[kind], body))


@router.post("/{kind}/{version}")
async def soap(kind: str, version: str, request: Request) -> Response:
    if kind not in SCHEMAS and kind not in UNSERVED:
        return Response(status_code=404)
    return await _soap(kind, version, request)


@router.post("/{kind}/{version}/{org_id}")
async def soap_on_instance(kind: str, version: str, org_id: str, request: Request) -> Response:
    """The `serverUrl` a login hands out: the same calls, under the org's id."""
    known = kind in SCHEMAS or kind in UNSERVED
    if not known or org_id[:15] != sandbox_of(request).org.org_id[:15]:
        return Response(status_code=404)
    return await _soap(kind, version, request)
