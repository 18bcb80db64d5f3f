import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/** The server's word that some messages have new tracking statuses. */
export const STATUSES_CHANGED = "mail_activity_tracking/statuses_changed";

/**
 * Notifications often come in bursts (the mail queue sends one email after
 * the other): the messages they name are fetched together after this delay.
 */
export const FETCH_DELAY = 300;

/**
 * Keeps the status icons of the messages this client holds up to date. The
 * server tells every internal user which messages changed, without their
 * content; only the messages this client already holds are fetched, with
 * the access rights of the current user.
 */
export const trackingStatusesService = {
    dependencies: ["bus_service", "mail.store"],
    start(env, { bus_service: busService, "mail.store": store }) {
        const pending = new Set();
        let timeout = null;

        async function fetchPending() {
            timeout = null;
            const messageIds = [...pending];
            pending.clear();
            store.insert(await rpc("/mail/tracking/statuses", { message_ids: messageIds }));
        }

        busService.subscribe(STATUSES_CHANGED, ({ message_ids }) => {
            for (const messageId of message_ids) {
                if (store["mail.message"].get(messageId)) {
                    pending.add(messageId);
                }
            }
            if (pending.size && !timeout) {
                timeout = setTimeout(fetchPending, FETCH_DELAY);
            }
        });
    },
};

registry.category("services").add("mail_activity_tracking.statuses", trackingStatusesService);
