from ninja import Router

router = Router(tags=["工业模型与智能体"])
