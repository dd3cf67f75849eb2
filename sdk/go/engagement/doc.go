// Page people through AWS Systems Manager Incident Manager Contacts from any Pulumi language; `pulumi preview` never pages.
package engagement
