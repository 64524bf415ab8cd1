// The shared stylesheet first, so each screen's own CSS (imported by the screens) comes after it.
import "./styles.css";
import { render } from "preact";
import { App } from "./app";

render(<App />, document.getElementById("app")!);
