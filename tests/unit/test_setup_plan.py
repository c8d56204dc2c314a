"""What `leadpact setup` decides for Salesforce, and the field definitions it creates."""

from __future__ import annotations

from leadpact import crm_schema, fields
from leadpact.connectors.salesforce import setup_plan

ROLE = next(f for f in crm_schema.salesforce_fields() if f.full_name == "Lead.Leadpact_Role__c")
SCORE = next(f for f in crm_schema.salesforce_fields()
             if f.full_name == "Contact.Leadpact_Lead_Score__c")


def test_every_field_leadpact_writes_has_a_salesforce_definition_on_each_of_its_objects() -> None:
    defined = {f.full_name for f in crm_schema.salesforce_fields()}
    for spec in fields.FIELDS:
        objects = (["Lead", "Contact"] if fields.PERSON in spec.applies_to else []) + (
            ["Opportunity"] if fields.DEAL in spec.applies_to else []) + (
            ["Account"] if fields.ACCOUNT in spec.applies_to else [])
        assert {f"{o}.{spec.salesforce}" for o in objects} <= defined
    assert "Task.Leadpact_Task_Key__c" in defined
    assert len(defined) == len(crm_schema.salesforce_fields())  # no duplicates


def test_given_kinds_then_tooling_bodies_carry_the_metadata_api_types() -> None:
    by_kind = {spec.kind: spec for spec in fields.FIELDS}
    bodies = {kind: next(f for f in crm_schema.salesforce_fields()
                         if f.name == spec.salesforce).tooling_body()["Metadata"]
              for kind, spec in by_kind.items()}
    assert (bodies["text"]["type"], bodies["text"]["length"]) == ("Text", 255)
    assert (bodies["number"]["type"], bodies["number"]["precision"],
            bodies["number"]["scale"]) == ("Number", 18, 4)
    assert (bodies["long_text"]["type"], bodies["long_text"]["length"]) == ("LongTextArea", 32768)
    assert all(len(f.label) <= 40 for f in crm_schema.salesforce_fields())


def test_given_an_org_without_the_field_then_it_is_created() -> None:
    create, problems = setup_plan.missing_fields([ROLE], {"Lead": {}})
    assert (create, problems) == ([ROLE], [])


def test_given_the_field_with_the_right_type_then_nothing_to_do() -> None:
    described = {"Lead": {ROLE.name: {"type": "string", "length": 255}}}
    assert setup_plan.missing_fields([ROLE], described) == ([], [])


def test_given_the_field_with_another_type_or_too_short_then_a_problem_and_no_create() -> None:
    for found in ({"type": "picklist", "length": 255}, {"type": "string", "length": 40}):
        create, problems = setup_plan.missing_fields([ROLE], {"Lead": {ROLE.name: found}})
        assert create == []
        [problem] = problems
        assert "Lead.Leadpact_Role__c" in problem.what and "Text(255)" in problem.what
        assert "Setup > Object Manager" in problem.fix


def test_given_a_number_field_then_length_is_not_compared() -> None:
    described = {"Contact": {SCORE.name: {"type": "double", "length": 0}}}
    assert setup_plan.missing_fields([SCORE], described) == ([], [])


def test_given_grants_then_only_missing_or_incomplete_ones_are_planned() -> None:
    rows = [{"Id": "01k1", "Field": "lead.leadpact_role__c", "PermissionsRead": True,
             "PermissionsEdit": False},
            {"Id": "01k2", "Field": "Contact.Leadpact_Lead_Score__c", "PermissionsRead": True,
             "PermissionsEdit": True}]
    assert setup_plan.grants_needed([ROLE, SCORE], rows) == ([], ["01k1"])
    assert setup_plan.grants_needed([ROLE, SCORE], []) == ([ROLE, SCORE], [])


def test_a_field_permission_grants_read_and_edit_on_the_full_name() -> None:
    record = setup_plan.field_permission("0PS1", ROLE)
    assert record == {"attributes": {"type": "FieldPermissions"}, "ParentId": "0PS1",
                      "SobjectType": "Lead", "Field": "Lead.Leadpact_Role__c",
                      "PermissionsRead": True, "PermissionsEdit": True}


def test_the_readme_table_has_one_row_per_field_and_property() -> None:
    rows = crm_schema.readme_table().splitlines()[2:]
    properties = sum(len(v) for v in crm_schema.hubspot_setup_properties().values())
    assert len(rows) == len(crm_schema.salesforce_fields()) + properties
    assert "| Salesforce | Lead | `Leadpact_Role_Confidence__c` | Number(18, 4) |" in (
        crm_schema.readme_table())


FEEDBACK = next(f for f in crm_schema.salesforce_fields()
                if f.full_name == "Lead.Leadpact_Sales_Feedback__c")


def test_the_feedback_picklist_is_created_with_its_values_on_leads_and_contacts() -> None:
    body = FEEDBACK.tooling_body()["Metadata"]
    assert body["type"] == "Picklist"
    assert [v["fullName"] for v in body["valueSet"]["valueSetDefinition"]["value"]] == [
        "Accepted", "Rejected"]
    names = {f.full_name for f in crm_schema.salesforce_fields()}
    assert {"Contact.Leadpact_Sales_Feedback__c", "Lead.Leadpact_Rejection_Reason__c",
            "Contact.Leadpact_Rejection_Reason__c"} <= names


def test_given_the_feedback_picklist_without_a_value_then_a_problem_naming_it() -> None:
    found = {"type": "picklist", "length": 255, "picklistValues": [{"value": "Accepted"}]}
    create, [problem] = setup_plan.missing_fields([FEEDBACK], {"Lead": {FEEDBACK.name: found}})
    assert create == [] and "lacks the values Rejected" in problem.what


def test_hubspot_setup_adds_the_feedback_selects_to_the_written_properties() -> None:
    merged = crm_schema.hubspot_setup_properties()
    written = crm_schema.hubspot_properties()
    feedback = {p["name"]: p for p in merged["contacts"] if p not in written["contacts"]}
    assert set(feedback) == {"leadpact_sales_feedback", "leadpact_rejection_reason"}
    assert [o["value"] for o in feedback["leadpact_sales_feedback"]["options"]] == [
        "Accepted", "Rejected"]
    assert all(p["type"] == "enumeration" for p in feedback.values())


def test_given_a_field_hidden_by_field_level_security_then_it_is_not_created_again() -> None:
    hidden = {"lead.leadpact_role__c"}
    assert setup_plan.missing_fields([ROLE], {"Lead": {}}, hidden) == ([], [])


def test_given_nothing_to_do_then_setup_needs_no_system_permission() -> None:
    assert setup_plan.permissions_needed(0, False, 0, False) == []


def test_given_each_kind_of_step_then_its_permission_is_needed_and_says_what_for() -> None:
    needed = setup_plan.permissions_needed(33, True, 33, True)
    assert [(field, why) for field, _, why in needed] == [
        ("PermissionsCustomizeApplication", "to create 33 field(s)"),
        ("PermissionsManageProfilesPermissionsets",
         "to create the permission set and grant access to 33 field(s)"),
        ("PermissionsAssignPermissionSets", "to assign the permission set to this user")]
    only_grants = setup_plan.permissions_needed(0, False, 2, False)
    assert [why for _, _, why in only_grants] == ["to grant access to 2 field(s)"]


def test_given_permission_sets_then_a_permission_any_of_them_grants_is_not_missing() -> None:
    needed = setup_plan.permissions_needed(1, False, 1, True)
    profile = {"PermissionsCustomizeApplication": True, "PermissionsAssignPermissionSets": False}
    extra = {"PermissionsAssignPermissionSets": True}
    assert setup_plan.missing_permissions(needed, [profile, extra]) == [
        "Manage Profiles and Permission Sets (to grant access to 1 field(s))"]
    assert len(setup_plan.missing_permissions(needed, [])) == 3


def test_given_existing_fields_without_history_then_only_those_are_to_track() -> None:
    reason = next(f for f in crm_schema.salesforce_fields()
                  if f.full_name == "Lead.Leadpact_Role_Reason__c")  # long text: no values kept
    existing = {"lead.leadpact_role__c": "00N1", "contact.leadpact_lead_score__c": "00N2",
                "lead.leadpact_role_reason__c": "00N3"}
    assert setup_plan.to_track([ROLE, SCORE, reason], [], existing, set()) == [
        ("Lead.Leadpact_Role__c", "00N1"), ("Contact.Leadpact_Lead_Score__c", "00N2")]
    tracked = {"lead.leadpact_role__c"}
    assert setup_plan.to_track([ROLE, SCORE], [], existing, tracked) == [
        ("Contact.Leadpact_Lead_Score__c", "00N2")]
    assert setup_plan.to_track([ROLE], [ROLE], {}, set()) == []  # created with tracking on


def test_given_fields_to_track_then_customize_application_is_needed_for_it() -> None:
    needed = setup_plan.permissions_needed(0, False, 0, False, fields_to_track=2)
    assert [(field, why) for field, _, why in needed] == [
        ("PermissionsCustomizeApplication", "to turn on history tracking for 2 field(s)")]
    both = setup_plan.permissions_needed(1, False, 0, False, fields_to_track=2)
    assert [why for _, _, why in both] == [
        "to create 1 field(s) and turn on history tracking for 2 field(s)"]
