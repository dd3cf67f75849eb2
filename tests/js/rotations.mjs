// The AWS SDK for JavaScript v3 drives the rotation lifecycle against the emulator, with its own
// serializers and parsers: create, list shifts, override, delete (run by
// tests/emulator/test_emulator_js_sdk.py, which checks what it prints).
//   node rotations.mjs ENDPOINT_URL ALICE_ARN BOB_ARN
import {
  CreateRotationCommand,
  CreateRotationOverrideCommand,
  DeleteRotationCommand,
  DeleteRotationOverrideCommand,
  GetRotationCommand,
  ListRotationShiftsCommand,
  SSMContactsClient,
} from "@aws-sdk/client-ssm-contacts";

const [endpoint, alice, bob] = process.argv.slice(2);
const client = new SSMContactsClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  maxAttempts: 1,
});
const iso = (date) => (date instanceof Date ? date.toISOString() : String(date));
const shifts = (list) =>
  list.map((s) => ({
    start: iso(s.StartTime),
    end: iso(s.EndTime),
    contacts: s.ContactIds,
    type: s.Type,
    overridden: s.ShiftDetails?.OverriddenContactIds ?? null,
  }));
const window = { StartTime: new Date("2026-01-12T00:00:00Z"), EndTime: new Date("2026-01-14T00:00:00Z") };
const out = {};

const { RotationArn } = await client.send(
  new CreateRotationCommand({
    Name: "js rotation",
    ContactIds: [alice, bob],
    StartTime: new Date("2026-01-05T09:00:00Z"),
    TimeZoneId: "Europe/Berlin",
    Recurrence: {
      NumberOfOnCalls: 1,
      RecurrenceMultiplier: 1,
      WeeklySettings: [{ DayOfWeek: "MON", HandOffTime: { HourOfDay: 10, MinuteOfHour: 0 } }],
      ShiftCoverages: { MON: [{ Start: { HourOfDay: 9, MinuteOfHour: 0 }, End: { HourOfDay: 17, MinuteOfHour: 0 } }] },
    },
  }),
);
const got = await client.send(new GetRotationCommand({ RotationId: RotationArn }));
out.rotation = { name: got.Name, start: iso(got.StartTime), zone: got.TimeZoneId, recurrence: got.Recurrence };
out.shifts = shifts((await client.send(new ListRotationShiftsCommand({ RotationId: RotationArn, ...window }))).RotationShifts);
const { RotationOverrideId } = await client.send(
  new CreateRotationOverrideCommand({
    RotationId: RotationArn,
    NewContactIds: [alice],
    StartTime: new Date("2026-01-12T12:00:00Z"),
    EndTime: new Date("2026-01-12T13:00:00Z"),
  }),
);
out.overridden = shifts((await client.send(new ListRotationShiftsCommand({ RotationId: RotationArn, ...window }))).RotationShifts);
await client.send(new DeleteRotationOverrideCommand({ RotationId: RotationArn, RotationOverrideId }));
await client.send(new DeleteRotationCommand({ RotationId: RotationArn }));
try {
  await client.send(new GetRotationCommand({ RotationId: RotationArn }));
  out.after_delete = "found";
} catch (error) {
  out.after_delete = { name: error.name, resourceType: error.ResourceType ?? null };
}
console.log(JSON.stringify(out));
