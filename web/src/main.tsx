import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles.css';
import './casework.css';

const root = document.getElementById('app');
if (!root) throw new Error('edgecase: #app is missing from index.html');

// The live connection starts once someone is signed in (session.ts).
render(() => <App />, root);
