import { reactive } from "@odoo/owl";
import { registry } from "@web/core/registry";

/**
 * What the server knows of the recipients' addresses before sending: for
 * each email shown in a composer, its last failure that killed the address
 * (bounce, refusal as unknown, spam complaint), or null. Asked once per
 * address and per page, all the missing addresses of a composer in one call.
 */
export const bounceWarningsService = {
    dependencies: ["orm"],
    start(env, { orm }) {
        const warnings = reactive({});
        const asked = new Set();

        /** @param {string[]} emails */
        async function load(emails) {
            const missing = [...new Set(emails)].filter((email) => email && !asked.has(email));
            if (!missing.length) {
                return;
            }
            missing.forEach((email) => asked.add(email));
            let found = {};
            try {
                found = await orm.silent.call("mail.tracking.email", "get_bounce_warnings", [missing]);
            } catch {
                // no warning rather than a broken composer
                missing.forEach((email) => asked.delete(email));
                return;
            }
            for (const email of missing) {
                warnings[email] = found[email] || null;
            }
        }

        return { warnings, load };
    },
};

registry.category("services").add("mail_activity_tracking.bounce_warnings", bounceWarningsService);
