from ninja import Router

router = Router(tags=["排产服务"])
