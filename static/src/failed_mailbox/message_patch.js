import { Message } from "@mail/core/common/message";

import { FailedMessageActions } from "@mail_activity_tracking/failed_message/failed_message_actions";

Object.assign(Message.components, { FailedMessageActions });
