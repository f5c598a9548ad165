print("grok-report")
