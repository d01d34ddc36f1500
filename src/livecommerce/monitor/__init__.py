"""直播监测预警: live sessions watched as they happen — events in, session state, rules, alerts, reviews."""
