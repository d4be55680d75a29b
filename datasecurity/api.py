from ninja import Router

router = Router(tags=["工业数据安全"])
