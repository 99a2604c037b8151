// Drives the sandbox with jsforce as an integration would: log in by access token and
// instance URL, ask who it is and what it viewed last, describe, create, query (with a child
// subquery through jsforce's query builder), retrieve many, search (SOSL), send a composite
// request, load through a Bulk API 2.0 ingest job, and load and query through Bulk API 1.0
// (XML job infos, CSV data). Prints one JSON summary on stdout.
// An admin's script adds a custom field through the Tooling API, which describe then shows.
// Also logs in by username and password over the SOAP API (jsforce's `login()` without a
// connected app), converts a Lead over SOAP (with an Opportunity, and a second conversion of
// the same Lead refused), and logs out.
// Needs SANDBOX_URL, SANDBOX_TOKEN, SANDBOX_USERNAME and SANDBOX_PASSWORD, and
// NODE_EXTRA_CA_CERTS pointing at the sandbox CA.
import jsforce from "jsforce";

const conn = new jsforce.Connection({
  instanceUrl: process.env.SANDBOX_URL,
  accessToken: process.env.SANDBOX_TOKEN,
  version: "62.0",
});

const identity = await conn.identity();
const recent = await conn.recent();
const describe = await conn.sobject("Contact").describe();
const created = await conn.sobject("Contact").create({ FirstName: "Node", LastName: "Script" });
const many = await conn.sobject("Contact").create([
  { LastName: "Batch One" },
  { LastName: "Batch Two" },
]);
const query = await conn.query(
  `SELECT Id, Name FROM Contact WHERE Id = '${created.id}'`
);
const account = await conn.sobject("Account").create({ Name: "Node Account" });
await conn.sobject("Contact").update({ Id: created.id, AccountId: account.id });
const withContacts = await conn
  .sobject("Account")
  .find({ Id: account.id }, "Id, Name")
  .include("Contacts")
  .select("Id, LastName")
  .end()
  .execute();
const retrieved = await conn
  .sobject("Contact")
  .retrieve([created.id, many[0].id], { fields: ["LastName"] });
const loaded = await conn.bulk2.loadAndWaitForResults({
  object: "Contact",
  operation: "insert",
  input: [{ LastName: "Bulk Loaded" }, { LastName: "" }],
  pollInterval: 100,
  pollTimeout: 20000,
});
const searched = await conn.search(
  `FIND {Script} IN NAME FIELDS RETURNING Contact(Id, LastName WHERE Id = '${created.id}')`
);
const composite = await conn.requestPost("/composite", {
  allOrNone: true,
  compositeRequest: [
    { method: "POST", url: "/services/data/v62.0/sobjects/Account", referenceId: "acct", body: { Name: "Composite Node" } },
    {
      method: "POST",
      url: "/services/data/v62.0/sobjects/Contact",
      referenceId: "person",
      body: { LastName: "Composite", AccountId: "@{acct.id}" },
    },
  ],
});
conn.bulk.pollInterval = 100;
const bulkV1Loaded = await conn.bulk.load("Contact", "insert", [
  { LastName: "Classic Bulk", Email: "classic@example.com" },
  { Email: "nameless@example.com" },
]);
const bulkV1Rows = [];
const bulkV1Query = await conn.bulk.query(
  "SELECT Id, LastName, Email FROM Contact WHERE LastName = 'Classic Bulk'"
);
await new Promise((resolve, reject) => {
  bulkV1Query.on("record", (record) => bulkV1Rows.push(record));
  bulkV1Query.on("end", resolve);
  bulkV1Query.on("error", reject);
});
// jsforce's own default API version (50.0 in jsforce 3), as a script that names none uses.
const soapConn = new jsforce.Connection({ loginUrl: process.env.SANDBOX_URL });
const soapUser = await soapConn.login(process.env.SANDBOX_USERNAME, process.env.SANDBOX_PASSWORD);
const soapCount = (await soapConn.query("SELECT COUNT() FROM Contact")).totalSize;
const lead = await soapConn.sobject("Lead").create({ LastName: "Convertible", Company: "Soap Co" });
const conversions = await soapConn.soap.convertLead([
  { leadId: lead.id, convertedStatus: "Closed - Converted", doNotCreateOpportunity: false },
  { leadId: lead.id, convertedStatus: "Closed - Converted", doNotCreateOpportunity: true },
]);
const convertedLead = await soapConn.sobject("Lead").retrieve(lead.id);
await soapConn.logout();
const madeField = await conn.tooling.sobject("CustomField").create({
  FullName: "Contact.Shoe_Size__c",
  Metadata: { type: "Number", label: "Shoe size", precision: 3, scale: 1 },
});
const sized = await conn.sobject("Contact").create({ LastName: "Sized", Shoe_Size__c: 42.5 });
const sizedBack = await conn.sobject("Contact").retrieve(sized.id);
const toolingListed = await conn.tooling.query(
  "SELECT Id, DeveloperName FROM CustomField WHERE TableEnumOrId = 'Contact'"
);
let refused = null;
try {
  await conn.query("SELECT Nope__c FROM Contact");
} catch (error) {
  refused = error.errorCode;
}

console.log(
  JSON.stringify({
    identityUser: identity.user_id,
    recent,
    describeName: describe.name,
    phoneLabel: describe.fields.find((f) => f.name === "Phone").label,
    created,
    manySuccess: many.map((r) => r.success),
    queryTotal: query.totalSize,
    queryName: query.records[0].Name,
    accountContacts: withContacts[0].Contacts.records.map((r) => r.LastName),
    retrievedNames: retrieved.map((r) => r.LastName),
    bulkLoaded: loaded.successfulResults.map((r) => r.LastName),
    bulkFailed: loaded.failedResults.map((r) => r.sf__Error.split(":")[0]),
    bulkV1Success: bulkV1Loaded.map((r) => r.success),
    bulkV1Errors: bulkV1Loaded.flatMap((r) => r.errors.map((e) => e.split(":")[0])),
    bulkV1Queried: bulkV1Rows.map((r) => [r.Id === bulkV1Loaded[0].id, r.Email]),
    searchedNames: searched.searchRecords.map((r) => r.LastName),
    compositeStatuses: composite.compositeResponse.map((r) => r.httpStatusCode),
    soapLoginOrg: soapUser.organizationId,
    soapCount,
    conversions: conversions.map((r) => [
      r.success,
      (r.contactId ?? "").slice(0, 3),
      (r.opportunityId ?? "").slice(0, 3),
      (r.errors ?? []).map((e) => e.statusCode),
    ]),
    convertedLead: [convertedLead.IsConverted, (convertedLead.ConvertedOpportunityId ?? "").slice(0, 3)],
    madeField: [madeField.success, madeField.id.slice(0, 3)],
    sizedBack: sizedBack.Shoe_Size__c,
    toolingListed: toolingListed.records.map((r) => r.DeveloperName),
    refused,
  })
);
