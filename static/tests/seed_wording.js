/** The tooltip of each status, in the seeds' wording, word for word. */
export const STATUS_TITLES = {
    unknown:
        "Unknown: No email tracking info available. Maybe this notified partner has 'Receive Inbox Notifications by Email' == 'Never'",
    waiting: "Waiting: Waiting to be sent",
    error: "Error: Error while sending",
    sent: "Sent: Sent to SMTP server configured",
    delivered: "Delivered: Delivered to final MX server",
    opened: "Opened: Opened by partner",
    cc: "Cc: It's a Carbon-Copy recipient. Can't know the status so is 'Unknown'",
    noemail: "No Email: The partner doesn't have a defined email",
    anonuser: "No Partner: The recipient doesn't have a defined partner",
};
