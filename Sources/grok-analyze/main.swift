print("grok-analyze")
