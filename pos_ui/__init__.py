"""The cashier's terminal (Textual): `vectis till --edge-url URL --till-id ID`.

`app.TillApp` is the app; `client.TillClient` its only way to the edge node (the edge's till
API over HTTP); `screens/`, `dialogs/` (modal screens returning their result) and `widgets/`
its parts. docs/cashier-guide.md is the cashier's side of it.
"""
