from __future__ import annotations

from forcebridge.mapping.contact_fields import CustomFieldSpec, contact_fields
from forcebridge.mapping.describe import Catalog, ObjectDescribe, parse_describe
from forcebridge.mapping.local_fields import LocalField, LocalFields, LocalType
from forcebridge.mapping.model import Mapping
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.mapping.verify import verify_export, verify_pull, verify_pull_query
from tests.mapping.payloads import field_payload, object_payload

TARGETS = contact_fields(
    [
        CustomFieldSpec("birthday", "date"),
        CustomFieldSpec("score", "number"),
        CustomFieldSpec("source", "choice", ("Web", "Phone Inquiry")),
    ]
)


def named(problems: tuple[Problem, ...]) -> list[tuple[int | None, str, ProblemCode]]:
    return [(p.row, p.field, p.code) for p in problems]


def describe_of(catalog: Catalog, name: str) -> ObjectDescribe:
    describe = catalog.get(name)
    assert describe is not None
    return describe


# --- pull ----------------------------------------------------------------------------------


def test_a_sound_pull_mapping_verifies_with_a_success_message(real_catalog: Catalog) -> None:
    mapping = Mapping.of(
        ("Email", "email"),
        ("Birthdate", "birthday"),
        ("Birthdate", "title"),
        ("MailingStreet", "street"),
        ("Account.Name", "company"),
    )

    report = verify_pull(mapping, real_catalog, "Contact", TARGETS)

    assert report.ok
    assert report.message.startswith("Verified: 5 rows map")


def test_every_pull_problem_is_reported_at_once_naming_row_and_field(
    real_catalog: Catalog,
) -> None:
    mapping = Mapping.of(
        ("Emial", "email"),
        ("Phone", "telephone"),
        ("MailingAddress", "street"),
        ("Birthdate", "score"),
        ("", "city"),
        ("Email", "email"),
        ("email", "email"),
        ("Acount.Name", "company"),
    )

    report = verify_pull(mapping, real_catalog, "Contact", TARGETS)

    assert not report.ok
    assert named(report.problems) == [
        (1, "Emial", ProblemCode.UNKNOWN_SOURCE),
        (2, "telephone", ProblemCode.UNKNOWN_TARGET),
        (3, "MailingAddress", ProblemCode.UNSUPPORTED_TYPE),
        (4, "Birthdate", ProblemCode.TYPE_MISMATCH),
        (5, "city", ProblemCode.BLANK_ROW),
        (7, "email", ProblemCode.DUPLICATE_ROW),
        (8, "Acount.Name", ProblemCode.UNKNOWN_SOURCE),
    ]
    messages = [str(p) for p in report.problems]
    assert messages[0] == "row 1: Contact has no field 'Emial'"
    assert messages[2] == (
        "row 3: Mailing Address (MailingAddress) is a compound field; map its parts instead: "
        "MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, "
        "MailingLatitude, MailingLongitude, MailingGeocodeAccuracy"
    )
    assert messages[3] == (
        "row 4: Birthdate (Birthdate) holds date values, which contact field score (number) "
        "cannot hold"
    )
    assert report.message.startswith("The mapping has 7 problems:\n- row 1: Contact has no field")


def test_an_unknown_contact_field_lists_the_ones_there_are(real_catalog: Catalog) -> None:
    report = verify_pull(Mapping.of(("Phone", "telephone")), real_catalog, "Contact", TARGETS)

    assert "there is no contact field 'telephone'; choose one of first_name, last_name" in str(
        report.problems[0]
    )
    assert str(report.problems[0]).endswith(", ".join(TARGETS.names))  # its own ones too


def test_a_contact_field_spelled_in_another_case_is_refused_with_its_spelling(
    real_catalog: Catalog,
) -> None:
    report = verify_pull(Mapping.of(("MailingCity", "City")), real_catalog, "Contact", TARGETS)

    assert str(report.problems[0]) == (
        "row 1: there is no contact field 'City'; did you mean 'city'? The names are case-sensitive"
    )


def test_a_contact_field_in_another_case_after_its_row_is_an_unknown_target_not_a_duplicate(
    real_catalog: Catalog,
) -> None:
    """Contact fields are case-sensitive: `Last_Name` is not `last_name` again."""
    mapping = Mapping.of(("LastName", "last_name"), ("LastName", "Last_Name"))

    report = verify_pull(mapping, real_catalog, "Contact", TARGETS)

    assert named(report.problems) == [(2, "Last_Name", ProblemCode.UNKNOWN_TARGET)]
    assert "did you mean 'last_name'?" in str(report.problems[0])


def test_a_prospect_field_in_another_case_after_its_row_is_an_unknown_source_not_a_duplicate(
    real_catalog: Catalog,
) -> None:
    """Prospect fields are case-sensitive, Salesforce's are not: `Email -> email` repeats
    `Email -> Email`'s target, but `Email` is no prospect field."""
    mapping = Mapping.of(
        ("last_name", "LastName"),
        ("company_name", "Company"),
        ("email", "Email"),
        ("email", "email"),
        ("Email", "Email"),
    )

    report = verify_export(mapping, describe_of(real_catalog, "Lead"))

    assert named(report.problems) == [
        (4, "email", ProblemCode.DUPLICATE_ROW),
        (5, "Email", ProblemCode.UNKNOWN_SOURCE),
    ]


def test_hidden_and_unsupported_salesforce_fields_are_refused() -> None:
    catalog = Catalog.of(
        object_payload(
            "Thing__c",
            field_payload("Old__c", "string", deprecatedAndHidden=True),
            field_payload("Logo__c", "base64"),
            field_payload("Spot__c", "location"),
        )
    )
    mapping = Mapping.of(("Old__c", "title"), ("Logo__c", "title"), ("Spot__c", "title"))

    report = verify_pull(mapping, catalog, "Thing__c", TARGETS)

    assert [(p.row, p.code) for p in report.problems] == [
        (1, ProblemCode.UNREADABLE),
        (2, ProblemCode.UNSUPPORTED_TYPE),
        (3, ProblemCode.UNSUPPORTED_TYPE),
    ]


def test_a_multi_select_picklist_is_refused_for_a_choice_field_and_taken_as_text() -> None:
    catalog = Catalog.of(
        object_payload("Thing__c", field_payload("Colors__c", "multipicklist", picklist=("Web",)))
    )
    mapping = Mapping.of(("Colors__c", "source"), ("Colors__c", "title"))

    report = verify_pull(mapping, catalog, "Thing__c", TARGETS)

    assert named(report.problems) == [(1, "Colors__c", ProblemCode.TYPE_MISMATCH)]
    assert "holds several values at once" in report.problems[0].message


def test_formula_roll_up_and_auto_number_fields_verify_by_their_result_type() -> None:
    catalog = Catalog.of(
        object_payload(
            "Thing__c",
            field_payload("Total__c", "currency", calculated=True, calculatedFormula="A + B"),
            field_payload("Latest__c", "date", calculated=True),
            field_payload("Ref__c", "string", autoNumber=True),
        )
    )
    mapping = Mapping.of(("Total__c", "score"), ("Latest__c", "birthday"), ("Ref__c", "title"))

    assert verify_pull(mapping, catalog, "Thing__c", TARGETS).ok


def test_a_picklist_with_values_a_choice_field_lacks_is_named(real_catalog: Catalog) -> None:
    report = verify_pull(Mapping.of(("LeadSource", "source")), real_catalog, "Contact", TARGETS)

    assert named(report.problems) == [(1, "LeadSource", ProblemCode.VALUES_DO_NOT_FIT)]
    assert "does not offer: Partner Referral, Purchased List, Other" in report.problems[0].message


def test_pulling_an_object_without_a_describe_says_so(real_catalog: Catalog) -> None:
    report = verify_pull(Mapping.of(("Name", "title")), real_catalog, "Invoice__c", TARGETS)

    assert named(report.problems) == [(None, "Invoice__c", ProblemCode.UNKNOWN_OBJECT)]


def test_a_mapping_without_rows_is_refused(real_catalog: Catalog) -> None:
    """Every record would become an empty contact (an editor whose rows were all removed)."""
    report = verify_pull(Mapping(()), real_catalog, "Contact", TARGETS)

    assert named(report.problems) == [(None, "", ProblemCode.REQUIRED_UNMAPPED)]
    assert "no rows" in report.message


# --- custom query --------------------------------------------------------------------------


def test_a_query_on_an_object_the_org_lacks_is_named_alone(real_catalog: Catalog) -> None:
    report = verify_pull_query(Mapping(()), real_catalog, "SELECT Id FROM Contct", TARGETS)

    assert named(report.problems) == [(None, "Contct", ProblemCode.UNKNOWN_OBJECT)]


def test_a_custom_query_mapping_may_only_read_what_the_query_selects(
    real_catalog: Catalog,
) -> None:
    mapping = Mapping.of(("Email", "email"), ("Account.Name", "company"), ("Phone", "phone"))
    soql = "SELECT Id, Email, Account.Name FROM Contact WHERE MailingCountry = 'France'"

    report = verify_pull_query(mapping, real_catalog, soql, TARGETS)

    assert named(report.problems) == [(3, "Phone", ProblemCode.NOT_SELECTED)]
    assert str(report.problems[0]) == (
        "row 3: Phone is not in the query's SELECT list; add it or remove the row"
    )


def test_a_sound_custom_query_on_a_custom_object_verifies(real_catalog: Catalog) -> None:
    soql = "select Id, Name, customfield__c from custom__c where Name != null"
    mapping = Mapping.of(("Name", "last_name"), ("CustomField__c", "title"))

    assert verify_pull_query(mapping, real_catalog, soql, TARGETS).ok


def test_query_problems_and_row_problems_come_together(real_catalog: Catalog) -> None:
    soql = "SELECT Id, Emial, Birthdate FROM Lead WHERE Regon__c = 'West'"
    mapping = Mapping.of(("Birthdate", "birthday"), ("Email", "email"))

    report = verify_pull_query(mapping, real_catalog, soql, TARGETS)

    assert named(report.problems) == [
        (None, "Emial", ProblemCode.INVALID_QUERY),
        (None, "Birthdate", ProblemCode.INVALID_QUERY),
        (None, "Regon__c", ProblemCode.INVALID_QUERY),
        (1, "Birthdate", ProblemCode.UNKNOWN_SOURCE),
        (2, "Email", ProblemCode.NOT_SELECTED),
    ]


# --- export --------------------------------------------------------------------------------


def test_a_sound_export_mapping_verifies(real_catalog: Catalog) -> None:
    mapping = Mapping.of(
        ("last_name", "LastName"),
        ("company_name", "Company"),
        ("direct_phone", "Phone"),
        ("company_phone", "Phone"),
        ("employees", "NumberOfEmployees"),
    )

    assert verify_export(mapping, describe_of(real_catalog, "Lead")).ok


def test_every_export_problem_is_reported_at_once(real_catalog: Catalog) -> None:
    mapping = Mapping.of(
        ("first_name", "FirstName"),
        ("job_title", "Titel"),
        ("email", "Name"),
        ("department", "NumberOfEmployees"),
        ("company_name", "ConvertedAccountId"),
        ("industry", "CleanStatus"),
        ("employees", ""),
        ("nickname", "Description"),
        ("street", "Address"),
    )

    report = verify_export(mapping, describe_of(real_catalog, "Lead"))

    assert named(report.problems) == [
        (2, "Titel", ProblemCode.UNKNOWN_TARGET),
        (3, "Name", ProblemCode.NOT_CREATEABLE),
        (3, "Name", ProblemCode.NOT_UPDATEABLE),
        (4, "NumberOfEmployees", ProblemCode.TYPE_MISMATCH),
        (5, "ConvertedAccountId", ProblemCode.NOT_CREATEABLE),
        (5, "ConvertedAccountId", ProblemCode.NOT_UPDATEABLE),
        (5, "ConvertedAccountId", ProblemCode.TYPE_MISMATCH),
        (6, "CleanStatus", ProblemCode.VALUES_DO_NOT_FIT),
        (7, "employees", ProblemCode.BLANK_ROW),
        (8, "nickname", ProblemCode.UNKNOWN_SOURCE),
        (9, "Address", ProblemCode.UNSUPPORTED_TYPE),
        (None, "LastName", ProblemCode.REQUIRED_UNMAPPED),
        (None, "Company", ProblemCode.REQUIRED_UNMAPPED),
    ]
    messages = {p.field: str(p) for p in report.problems}
    assert messages["NumberOfEmployees"] == (
        "row 4: Employees (NumberOfEmployees) takes int values, which prospect field "
        "department (text) cannot give"
    )
    assert messages["Address"] == (
        "row 9: Address (Address) is a compound field; map its parts instead: Street, City, "
        "State, PostalCode, Country, Latitude, Longitude, GeocodeAccuracy"
    )
    assert messages["LastName"] == (
        "Last Name (LastName) is required by Salesforce and no row fills it"
    )


def test_a_required_field_fed_by_a_broken_row_is_not_reported_twice(
    real_catalog: Catalog,
) -> None:
    mapping = Mapping.of(("surname", "LastName"), ("company_name", "company"))

    report = verify_export(mapping, describe_of(real_catalog, "Lead"))

    assert named(report.problems) == [(1, "surname", ProblemCode.UNKNOWN_SOURCE)]


def test_a_restricted_picklist_names_the_source_values_that_cannot_fit() -> None:
    lead = parse_describe(
        object_payload(
            "Lead",
            field_payload(
                "Rating", "picklist", picklist=("Hot", "Warm", "Cold"), restrictedPicklist=True
            ),
        )
    )
    sources = LocalFields(
        (
            *PROSPECT_FIELDS,
            LocalField("temperature", LocalType.CHOICE, "Temperature", choices=("Hot", "Lukewarm")),
            LocalField("heat", LocalType.CHOICE, "Heat", choices=("Hot", "Cold")),
        )
    )
    mapping = Mapping.of(("temperature", "Rating"), ("heat", "Rating"))

    report = verify_export(mapping, lead, sources)

    assert [str(p) for p in report.problems] == [
        "row 1: Rating (Rating) does not allow these values of temperature: Lukewarm"
    ]
