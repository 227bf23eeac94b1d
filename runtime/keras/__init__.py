"""`em.keras`: the Keras API on ember (layers, models, optimizers, losses, metrics, callbacks).

`Model.fit` compiles one training step per input signature (forward, loss, gradients and
optimizer update in one `@em.function`), so training runs as compiled code.
"""
