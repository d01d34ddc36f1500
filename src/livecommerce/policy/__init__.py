"""政策兑现: rewards, subsidies and acceptances from the facts, clause by clause, explained."""
