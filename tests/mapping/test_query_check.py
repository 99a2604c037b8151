from __future__ import annotations

import pytest

from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.query_check import check_query
from forcebridge.mapping.report import ProblemCode


def messages(soql: str, catalog: Catalog) -> list[str]:
    return [problem.message for problem in check_query(soql, catalog).problems]


def test_a_sound_query_gives_its_object_and_selected_fields_as_the_org_spells_them(
    real_catalog: Catalog,
) -> None:
    checked = check_query(
        "SELECT id, email, account.name FROM contact WHERE (NOT Email = null) AND "
        "(MailingCountry = 'France' OR MailingCountry IN ('Spain', 'Italy'))",
        real_catalog,
    )

    assert checked.problems == ()
    assert checked.sobject == "Contact"
    assert checked.selected == ("Id", "Email", "Account.Name")


@pytest.mark.parametrize(
    ("soql", "message"),
    [
        ("DELETE FROM Contact", "a custom query must be a SELECT statement"),
        (
            "SELECT Id FROM Contact WHERE",
            "the query does not parse: unexpected token: '<EOF>' (row 1, column 29)",
        ),
    ],
)
def test_a_query_that_is_not_one_select_cannot_be_used(
    real_catalog: Catalog, soql: str, message: str
) -> None:
    checked = check_query(soql, real_catalog)

    assert checked.sobject is None
    assert [(p.code, p.message) for p in checked.problems] == [(ProblemCode.INVALID_QUERY, message)]


def test_a_query_on_an_object_the_org_lacks_names_it(real_catalog: Catalog) -> None:
    checked = check_query("SELECT Id FROM Invoice__c", real_catalog)

    assert [(p.field, p.code) for p in checked.problems] == [
        ("Invoice__c", ProblemCode.UNKNOWN_OBJECT)
    ]


def test_fields_anywhere_in_the_query_are_checked(real_catalog: Catalog) -> None:
    soql = "SELECT Id, Nmae FROM Account WHERE NOT (Industri = 'Banking' OR Owner.Region = 'X')"

    assert messages(soql, real_catalog) == [
        "the query: Account has no field 'Nmae'",
        "the query: Account has no field 'Industri'",
        "the query: Account.Owner points to User, whose describe is not available",
    ]


def test_a_query_may_filter_by_date_functions_of_fields_the_org_has(
    real_catalog: Catalog,
) -> None:
    soql = (
        "SELECT Id, Email FROM Contact WHERE CALENDAR_YEAR(CreatedDate) = 2024 "
        "AND DAY_IN_WEEK(convertTimezone(LastModifedDate)) IN (1, 7)"
    )

    assert messages(soql, real_catalog) == ["the query: Contact has no field 'LastModifedDate'"]
    refused = (
        "SELECT Id FROM Contact WHERE CALENDAR_YEAR(CreatedDate) IN (2024, THIS_YEAR) "
        "AND HOUR_IN_DAY(Birthdate) = 1 AND WEEK_IN_YEAR(Email) = 2.5"
    )
    assert messages(refused, real_catalog) == [
        "the query: CALENDAR_YEAR(CreatedDate) can only be compared with a whole number",
        "the query: HOUR_IN_DAY() takes a datetime field, and Birthdate is a date",
        "the query: WEEK_IN_YEAR() takes a date or datetime field, and Email is neither",
        "the query: WEEK_IN_YEAR(Email) can only be compared with a whole number",
    ]
    assert messages("SELECT Id, DAY_ONLY(CreatedDate) FROM Contact", real_catalog) == [
        "DAY_ONLY(CreatedDate) names a period to group records by; select CreatedDate and the "
        "mapping converts its value"
    ]


def test_clauses_the_pull_sets_itself_and_unpageable_selects_are_refused(
    real_catalog: Catalog,
) -> None:
    soql = "SELECT COUNT(), FIELDS(ALL) FROM Lead ORDER BY Name LIMIT 10 OFFSET 5"

    assert messages(soql, real_catalog) == [
        "remove ORDER BY from the query: the pull orders by SystemModstamp and Id itself",
        "remove LIMIT from the query: the pull reads every matching record",
        "remove OFFSET from the query: the pull pages by itself",
        "COUNT() returns no records to pull; select the fields instead",
        "FIELDS(ALL) cannot be checked against the mapping; name the fields",
    ]


def test_clauses_that_change_how_the_query_runs_are_refused(real_catalog: Catalog) -> None:
    soql = "SELECT Id, Email FROM Lead USING SCOPE Mine WITH SECURITY_ENFORCED FOR VIEW"

    assert messages(soql, real_catalog) == [
        "remove USING SCOPE from the query: the pull reads as the connection's user; filter on a "
        "field such as OwnerId instead",
        "remove WITH from the query: the pull reads with the connection user's access",
        "remove FOR from the query: the pull would mark every record it reads as viewed",
    ]


def test_a_picklist_read_as_labels_is_refused_as_they_change_with_language(
    real_catalog: Catalog,
) -> None:
    assert messages("SELECT Id, toLabel(LeadSource) FROM Lead", real_catalog) == [
        "toLabel(LeadSource) reads the label a user sees, which changes with their language; "
        "select LeadSource and the mapping converts its value"
    ]


def test_a_field_alias_is_refused_as_salesforce_refuses_it_outside_aggregates(
    real_catalog: Catalog,
) -> None:
    assert messages("SELECT Id, LastName surname FROM Lead", real_catalog) == [
        "LastName surname: Salesforce allows a field alias only in an aggregate query; select "
        "LastName"
    ]


def test_a_typeof_is_refused_as_a_parents_fields_cannot_be_mapped(
    real_catalog: Catalog,
) -> None:
    assert messages(
        "SELECT Id, LastName, TYPEOF Owner WHEN User THEN Name END FROM Lead", real_catalog
    ) == [
        "TYPEOF Owner reads a parent's fields, which a pull cannot map onto a contact; select "
        "the object's own fields"
    ]


def test_groups_and_aggregates_are_refused_as_nothing_to_pull(real_catalog: Catalog) -> None:
    soql = "SELECT Title, MAX(CreatedDate) FROM Contact GROUP BY Title HAVING COUNT(Id) > 1"

    assert messages(soql, real_catalog) == [
        "remove GROUP BY from the query: the pull reads records, not groups of them",
        "remove HAVING from the query: the pull reads records, not groups of them",
        "MAX() returns no records to pull; select the fields instead",
    ]


def test_a_semi_join_is_refused_as_a_pull_cannot_check_it_on_each_record(
    real_catalog: Catalog,
) -> None:
    soql = "SELECT Id, LastName FROM Contact WHERE AccountId IN (SELECT Id FROM Account)"

    assert messages(soql, real_catalog) == [
        "the sub-select on Account cannot be checked on each record, as a pull does when "
        "services share a read; filter on the object's own fields"
    ]


def test_a_subquery_of_child_records_is_refused_naming_its_relationship(
    real_catalog: Catalog,
) -> None:
    soql = "SELECT Id, LastName, (SELECT Subject FROM Tasks) FROM Contact"

    assert messages(soql, real_catalog) == [
        "the subquery on Tasks reads child records, which a pull cannot map onto a contact; "
        "select the object's own fields"
    ]
