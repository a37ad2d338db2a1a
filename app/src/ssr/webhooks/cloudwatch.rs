//! AWS CloudWatch alarms, as AWS SNS delivers them.

use super::{instant, key, text, title, web_link};
use crate::domain::{AlertState, Delivery, IncomingAlert};
use serde_json::Value;

/// AWS SNS: a `SubscriptionConfirmation` (to be confirmed by the admin), or a
/// `Notification` whose `Message` is a CloudWatch alarm as JSON text.
pub fn parse(p: &Value) -> Result<Delivery, String> {
    match text(p, "Type")
        .ok_or("Type is missing: this is not an SNS message")?
        .as_str()
    {
        "SubscriptionConfirmation" => {
            let url = text(p, "SubscribeURL").ok_or("SubscribeURL is missing")?;
            let url = web_link(&url).ok_or("SubscribeURL is not an https link")?;
            Ok(Delivery::ConfirmSubscription { url })
        }
        "UnsubscribeConfirmation" => Ok(Delivery::Ignored("SNS unsubscribed this URL".into())),
        "Notification" => {
            let message = text(p, "Message").ok_or("Message is missing")?;
            let alarm: Value = serde_json::from_str(&message)
                .map_err(|e| format!("Message is not a CloudWatch alarm (JSON): {e}"))?;
            let name = text(&alarm, "AlarmName").ok_or("Message.AlarmName is missing")?;
            let state = match text(&alarm, "NewStateValue")
                .ok_or("Message.NewStateValue is missing")?
                .as_str()
            {
                "ALARM" => AlertState::Firing,
                "OK" => AlertState::Resolved,
                "INSUFFICIENT_DATA" => {
                    return Ok(Delivery::Ignored(format!("{name}: insufficient data")))
                }
                other => {
                    return Err(format!(
                        "Message.NewStateValue {other:?} is not ALARM or OK"
                    ))
                }
            };
            let id = text(&alarm, "AlarmArn").unwrap_or_else(|| name.clone());
            Ok(Delivery::Alerts(vec![IncomingAlert {
                dedup_key: key(format!("alarm-{id}"), "Message.AlarmArn")?,
                title: Some(title(&name, "Message.AlarmName")?),
                severity: None,
                state,
                service: None,
                details: alarm.clone(),
                url: None,
                occurred_at: text(&alarm, "StateChangeTime").and_then(|t| instant(&t)),
            }]))
        }
        other => Err(format!("SNS message Type {other:?} is not a notification")),
    }
}
