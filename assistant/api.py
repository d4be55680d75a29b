from ninja import Router

router = Router(tags=["政策与诊断助手"])
