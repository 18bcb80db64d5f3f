import {
    click,
    contains,
    defineMailModels,
    openDiscuss,
    openFormView,
    start,
    startServer,
} from "@mail/../tests/mail_test_helpers";
import { mailDataHelpers } from "@mail/../tests/mock_server/mail_mock_server";
import { describe, expect, test } from "@odoo/hoot";
import { makeKwArgs, onRpc, serverState } from "@web/../tests/web_test_helpers";

describe.current.tags("desktop");
defineMailModels();

function recipient(values) {
    return {
        tracking_id: false,
        partner_id: false,
        email: false,
        state: false,
        failed: false,
        error: false,
        ...values,
    };
}

/**
 * Store data of messages as the server sends them, with our two fields.
 *
 * @param {Object} mockServer
 * @param {Object<number, Object>} extraById {message id: {tracking_recipients, is_failed_message, tracking_can_act}}
 */
function storeData(mockServer, extraById) {
    const MailMessage = mockServer.env["mail.message"];
    const data = new mailDataHelpers.Store(
        MailMessage.browse(Object.keys(extraById).map(Number)),
        makeKwArgs({ for_current_user: true }),
    ).get_result();
    for (const vals of data["mail.message"]) {
        Object.assign(vals, extraById[vals.id]);
    }
    return data;
}

async function setupRecord() {
    const pyEnv = await startServer();
    const recordId = pyEnv["res.partner"].create({ name: "Azure Interior" });
    const aliceId = pyEnv["res.partner"].create({ name: "Alice", email: "alice@example.com" });
    const messageId = pyEnv["mail.message"].create({
        author_id: serverState.partnerId,
        body: "<p>Your quotation</p>",
        message_type: "comment",
        model: "res.partner",
        res_id: recordId,
    });
    const [selfPartner] = pyEnv["res.partner"].read(serverState.partnerId);
    return { pyEnv, recordId, aliceId, messageId, selfPartner };
}

test("recipients under a chatter message, their contact, and live updates of the status", async () => {
    const { pyEnv, recordId, aliceId, messageId, selfPartner } = await setupRecord();
    const alice = (status) =>
        recipient({
            tracking_id: 10,
            partner_id: aliceId,
            name: "Alice",
            email: "alice@example.com",
            status,
            state: status,
        });
    onRpc("/mail/tracking/thread_failed", () => ({ data: {}, messages: [] }));
    await start();
    await openFormView("res.partner", recordId);
    await contains(".o-mail-Message", { text: "Your quotation" });
    await contains(".o-mail-Message-trackingRecipients", { count: 0 });
    // the server pushes the statuses (as it does after each change)
    pyEnv["bus.bus"]._sendone(selfPartner, "mail.record/insert", {
        "mail.message": [
            {
                id: messageId,
                tracking_recipients: [
                    alice("sent"),
                    recipient({ name: "Carl <cc@example.com>", email: "cc@example.com", status: "cc" }),
                ],
            },
        ],
    });
    await contains(".o-mail-Message-trackingTo", { text: "To:" });
    await contains(".o-mail-Message-trackingRecipient:has(a:text(Alice)) .o-mail-TrackingStatus[data-status='sent']");
    await contains(".o-mail-Message-trackingRecipient:has(span:contains(Carl))");
    expect(`a.o-mail-Message-trackingRecipientName:text(Alice)`).toHaveAttribute(
        "href",
        `/odoo/res.partner/${aliceId}`,
    );
    pyEnv["bus.bus"]._sendone(selfPartner, "mail.record/insert", {
        "mail.message": [{ id: messageId, tracking_recipients: [alice("opened")] }],
    });
    await contains(".o-mail-TrackingStatus[data-status='opened']");
    await contains(".o-mail-TrackingStatus[data-status='sent']", { count: 0 });
    await contains(".o-mail-Message-trackingRecipient", { count: 1 });
});

test("announced status changes: only the messages held are fetched, together", async () => {
    const { pyEnv, recordId, aliceId, messageId, selfPartner } = await setupRecord();
    const asked = [];
    onRpc("/mail/tracking/thread_failed", () => ({ data: {}, messages: [] }));
    onRpc("/mail/tracking/statuses", async (request) => {
        const { params } = await request.json();
        asked.push(params.message_ids);
        return {
            "mail.message": params.message_ids.map((id) => ({
                id,
                tracking_recipients: [
                    recipient({ tracking_id: 10, partner_id: aliceId, name: "Alice", status: "opened" }),
                ],
            })),
        };
    });
    await start();
    await openFormView("res.partner", recordId);
    await contains(".o-mail-Message", { text: "Your quotation" });
    // the server sends it to the internal users' group; the mock bus, to us
    for (const messageIds of [[messageId, 99999], [messageId]]) {
        pyEnv["bus.bus"]._sendone(selfPartner, "mail_activity_tracking/statuses_changed", {
            message_ids: messageIds,
        });
    }
    await contains(".o-mail-Message-trackingRecipient:has(a:text(Alice)) .o-mail-TrackingStatus[data-status='opened']");
    expect(asked).toEqual([[messageId]]);
});

test("Failed mailbox: red counter, failed recipients, Set as reviewed, Retry", async () => {
    const { pyEnv, recordId, aliceId, messageId, selfPartner } = await setupRecord();
    const otherId = pyEnv["mail.message"].create({
        author_id: serverState.partnerId,
        body: "<p>Your order</p>",
        message_type: "comment",
        model: "res.partner",
        res_id: recordId,
    });
    const failedAlice = recipient({
        tracking_id: 11,
        partner_id: aliceId,
        name: "Alice",
        email: "alice@example.com",
        status: "error",
        state: "bounced",
        failed: true,
        error: "550 <b>unknown</b>",
    });
    onRpc("/mail/failed/messages", function () {
        expect.step("fetch failed");
        return {
            data: storeData(this, {
                [messageId]: { tracking_recipients: [failedAlice], is_failed_message: true, tracking_can_act: true },
                [otherId]: { tracking_recipients: [failedAlice], is_failed_message: true, tracking_can_act: true },
            }),
            messages: [otherId, messageId],
        };
    });
    onRpc("mail.message", "tracking_set_reviewed", ({ args }) => {
        expect.step(`reviewed ${args[0]}`);
        return true;
    });
    onRpc("mail.message", "tracking_retry", ({ args }) => {
        expect.step(`retry ${args[0]}`);
        return true;
    });
    await start();
    // the counter as the server sends it on the bus: no id
    pyEnv["bus.bus"]._sendone(selfPartner, "mail.record/insert", { Store: { failed: { counter: 2 } } });
    await openDiscuss("mail.box_failed");
    await contains(".o-mail-Mailbox[data-mailbox-id='starred'] + .o-mail-Mailbox[data-mailbox-id='failed']", {
        text: "Failed",
    });
    // the bus's counter is shown before the user acts: the review counts down from it
    await contains(".o-mail-FailedMailbox-counter", { text: "2" });
    await contains(".o-mail-Message", { count: 2 });
    expect.verifySteps(["fetch failed"]);
    await contains(".o-mail-FailedMessageActions-recipient", {
        count: 2,
        text: "Alice<alice@example.com>:550 <b>unknown</b>",
    });
    expect(".o-mail-FailedMessageActions b").toHaveCount(0);
    await click(".o-mail-Message:has(:text(Your quotation)) .o-mail-FailedMessageActions-reviewed");
    await contains(".o-mail-Message", { count: 1 });
    expect.verifySteps([`reviewed ${messageId}`]);
    await contains(".o-mail-FailedMailbox-counter", { text: "1" });
    await click(".o-mail-Message:has(:text(Your order)) .o-mail-FailedMessageActions-retry");
    await contains(".o-mail-Message", { count: 0 });
    expect.verifySteps([`retry ${otherId}`]);
    await contains(".o-mail-FailedMailbox-counter", { count: 0 });
    await contains("h4", { text: "No failed messages" });
});

test("Failed mailbox: Mark all as reviewed asks first", async () => {
    const { pyEnv, aliceId, messageId, selfPartner } = await setupRecord();
    onRpc("/mail/failed/messages", function () {
        return {
            data: storeData(this, {
                [messageId]: {
                    tracking_recipients: [
                        recipient({
                            tracking_id: 3,
                            partner_id: aliceId,
                            name: "Alice",
                            status: "error",
                            state: "error",
                            failed: true,
                        }),
                    ],
                    is_failed_message: true,
                    tracking_can_act: true,
                },
            }),
            messages: [messageId],
        };
    });
    onRpc("mail.message", "tracking_set_all_reviewed", ({ args }) => {
        expect.step(`all reviewed ${JSON.stringify(args)}`);
        return true;
    });
    await start();
    pyEnv["bus.bus"]._sendone(selfPartner, "mail.record/insert", { Store: { failed: { counter: 1 } } });
    await openDiscuss("mail.box_failed");
    await contains(".o-mail-Message");
    await click(".o-mail-DiscussContent-header button:enabled", { text: "Mark all as reviewed" });
    await contains(".modal-body", {
        text: "All your failed messages will leave the Failed mailbox. Their emails will not be sent again.",
    });
    await click(".modal-footer button", { text: "Cancel" });
    await contains(".modal", { count: 0 });
    await contains(".o-mail-Message");
    expect.verifySteps([]);
    await click(".o-mail-DiscussContent-header button:enabled", { text: "Mark all as reviewed" });
    await click(".modal-footer button", { text: "Mark all as reviewed" });
    await contains(".o-mail-Message", { count: 0 });
    expect.verifySteps(["all reviewed []"]);
    await contains(".o-mail-FailedMailbox-counter", { count: 0 });
});

test("Chatter: the record's failed messages at the top, with their actions", async () => {
    const { recordId, aliceId, messageId } = await setupRecord();
    onRpc("/mail/tracking/thread_failed", async function (request) {
        const { params } = await request.json();
        expect.step(`thread_failed ${params.thread_model} ${params.thread_id === recordId}`);
        return {
            data: storeData(this, {
                [messageId]: {
                    tracking_recipients: [
                        recipient({
                            tracking_id: 3,
                            partner_id: aliceId,
                            name: "Alice",
                            status: "error",
                            state: "error",
                            failed: true,
                            error: "mailbox unavailable",
                        }),
                    ],
                    is_failed_message: true,
                    tracking_can_act: true,
                },
            }),
            messages: [messageId],
        };
    });
    onRpc("mail.message", "tracking_set_reviewed", ({ args }) => {
        expect.step(`reviewed ${args[0]}`);
        return true;
    });
    await start();
    await openFormView("res.partner", recordId);
    await contains(".o-mail-ChatterFailed-title", { text: "Failed messages" });
    await contains(".o-mail-ChatterFailed .o-mail-FailedMessageActions-recipient", {
        text: "Alice:mailbox unavailable",
    });
    expect.verifySteps(["thread_failed res.partner true"]);
    await click(".o-mail-ChatterFailed .o-mail-FailedMessageActions-reviewed");
    await contains(".o-mail-ChatterFailed", { count: 0 });
    expect.verifySteps([`reviewed ${messageId}`]);
    // the message stays in the chatter, with its recipients
    await contains(".o-mail-Message .o-mail-TrackingStatus[data-status='error']");
});

test("Failed message: no Retry nor Set as reviewed for a user who may not act on it", async () => {
    const { aliceId, messageId } = await setupRecord();
    onRpc("/mail/failed/messages", function () {
        return {
            data: storeData(this, {
                [messageId]: {
                    tracking_recipients: [
                        recipient({
                            tracking_id: 3,
                            partner_id: aliceId,
                            name: "Alice",
                            status: "error",
                            state: "error",
                            failed: true,
                        }),
                    ],
                    is_failed_message: true,
                    tracking_can_act: false,
                },
            }),
            messages: [messageId],
        };
    });
    await start();
    await openDiscuss("mail.box_failed");
    await contains(".o-mail-FailedMessageActions-recipient", { text: "Alice:Error while sending" });
    expect(".o-mail-FailedMessageActions-retry").toHaveCount(0);
    expect(".o-mail-FailedMessageActions-reviewed").toHaveCount(0);
});
