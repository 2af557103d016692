from wishmap import create_app

app = create_app()
